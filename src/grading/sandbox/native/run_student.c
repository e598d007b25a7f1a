/*
 * run_student [OPTION]... [--] COMMAND [ARG]...: the command a harness runs the student's code
 * with (options and exit status: run_student.sh, whose text is compiled in as NESTED_SCRIPT).
 *
 * Under separation by uid (a broker listens on <.assay>/broker/socket, <.assay> being the
 * directory above this program's), it sends the broker (broker.c) its request (protocol.h) with
 * its own stdin, stdout and stderr and the --file sources, opened here as the harness, and waits
 * for the command's status; if this program is killed, the broker kills the command. Otherwise it
 * runs the nested sandbox (run_student.sh, with bash). One exec and one round trip: no shell.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol.h"
#include "run_student_sh.h"

static void die(const char *message, const char *detail) {
  if (detail) fprintf(stderr, "run_student: %s%s\n", detail, message);
  else fprintf(stderr, "run_student: %s\n", message);
  exit(125);
}

static int whole(const char *s) {
  if (!s || !*s) return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

static int seconds(const char *s) {
  if (!s || *s < '0' || *s > '9') return 0;
  while (*s >= '0' && *s <= '9') s++;
  if (*s == '.') {
    s++;
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') s++;
  }
  return *s == 0;
}

static int env_name(const char *v) {
  const char *p = v;
  if (!v || !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_')) return 0;
  for (p++; *p && *p != '='; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
  return *p == '=';
}

/* As run_student.sh checks DEST: `/DEST/` holds no `/../` or `/./` and does not start with `//`. */
static int relative(const char *dest) {
  size_t n = strlen(dest);
  char *wrapped = malloc(n + 3);
  if (!wrapped) return 0;
  wrapped[0] = '/';
  memcpy(wrapped + 1, dest, n);
  wrapped[n + 1] = '/';
  wrapped[n + 2] = 0;
  int ok = !strstr(wrapped, "/../") && !strstr(wrapped, "/./") && strncmp(wrapped, "//", 2) != 0;
  free(wrapped);
  return ok;
}

struct buffer {
  char *data;
  size_t length, size;
};

static void add(struct buffer *b, const char *field) {
  size_t n = strlen(field) + 1;
  if (b->length + n > ASSAY_MAX_PAYLOAD) die("the command line is too long", NULL);
  if (b->length + n > b->size) {
    b->size = (b->length + n) * 2;
    b->data = realloc(b->data, b->size);
    if (!b->data) die("out of memory", NULL);
  }
  memcpy(b->data + b->length, field, n);
  b->length += n;
}

static void add_number(struct buffer *b, unsigned long n) {
  char text[32];
  snprintf(text, sizeof text, "%lu", n);
  add(b, text);
}

int main(int argc, char **argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) die("cannot find itself", NULL);
  self[n] = 0;
  /* <.assay>/bin/run_student → <.assay>/broker/socket */
  char socket_path[PATH_MAX + 32];
  char *bin = strrchr(self, '/');
  *bin = 0;
  char *store_end = strrchr(self, '/');
  int by_uid = 0;
  if (store_end) {
    *store_end = 0;
    snprintf(socket_path, sizeof socket_path, "%s/broker/socket", self);
    *store_end = '/';
    struct stat st;
    by_uid = stat(socket_path, &st) == 0 && S_ISSOCK(st.st_mode);
  }
  *bin = '/';
  if (!by_uid) {
    /* No broker: the nested sandbox, run_student.sh ($0 is this program, its directory says where .assay is). */
    char **args = calloc(argc + 6, sizeof *args);
    if (!args) die("out of memory", NULL);
    int a = 0;
    args[a++] = "/bin/bash";
    args[a++] = "--norc";
    args[a++] = "--noprofile";
    args[a++] = "-c";
    args[a++] = (char *)NESTED_SCRIPT;
    args[a++] = self;
    for (int i = 1; i < argc; i++) args[a++] = argv[i];
    execv(args[0], args);
    die("cannot run /bin/bash", NULL);
  }

  const char *time_limit = "10", *cpu = NULL, *memory = "", *processes = "64", *file_size = "16";
  char **vars = calloc(argc, sizeof *vars), **files = calloc(argc, sizeof *files);
  size_t n_vars = 0, n_files = 0;
  if (!vars || !files) die("out of memory", NULL);
  int i = 1;
  for (; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(o, "--file")) {
      if (!v) die("--file needs a value", NULL);
      files[n_files++] = argv[++i];
    } else if (!strcmp(o, "--time")) {
      if (!seconds(v)) die("--time needs seconds", NULL);
      time_limit = argv[++i];
    } else if (!strcmp(o, "--cpu")) {
      if (!whole(v)) die("--cpu needs whole seconds", NULL);
      cpu = argv[++i];
    } else if (!strcmp(o, "--memory")) {
      if (!whole(v)) die("--memory needs MB", NULL);
      memory = argv[++i];
    } else if (!strcmp(o, "--processes")) {
      if (!whole(v)) die("--processes needs a number", NULL);
      processes = argv[++i];
    } else if (!strcmp(o, "--file-size")) {
      if (!whole(v)) die("--file-size needs MB", NULL);
      file_size = argv[++i];
    } else if (!strcmp(o, "--env")) {
      if (!env_name(v)) die("--env needs NAME=VALUE", NULL);
      vars[n_vars++] = argv[++i];
    } else if (!strcmp(o, "--")) {
      i++;
      break;
    } else if (o[0] == '-') {
      fprintf(stderr, "run_student: unknown option %s\n", o);
      exit(125);
    } else {
      break;
    }
  }
  if (i >= argc)
    die("usage: run_student [--file SRC[:DEST]]... [--time S] [--cpu S] [--memory MB] [--processes N] [--file-size MB] [--env NAME=VALUE]... [--] COMMAND [ARG]...", NULL);
  if (n_files > ASSAY_MAX_FILES) die("too many --file", NULL);
  char cpu_default[32];
  if (!cpu) {
    snprintf(cpu_default, sizeof cpu_default, "%lu", strtoul(time_limit, NULL, 10) + 1);
    cpu = cpu_default;
  }

  /* The descriptors the broker gets: stdin, stdout, stderr (/dev/null when closed), the --file sources. */
  int fds[3 + ASSAY_MAX_FILES];
  for (int fd = 0; fd < 3; fd++) fds[fd] = fcntl(fd, F_GETFD) < 0 ? open("/dev/null", O_RDWR | O_CLOEXEC) : fd;
  struct buffer payload = {0};
  add(&payload, time_limit);
  add(&payload, cpu);
  add(&payload, memory);
  add(&payload, processes);
  add(&payload, file_size);
  add_number(&payload, n_vars);
  for (size_t v = 0; v < n_vars; v++) add(&payload, vars[v]);
  add_number(&payload, n_files);
  for (size_t f = 0; f < n_files; f++) {
    char *spec = files[f], *colon = strchr(spec, ':');
    char *dest;
    if (colon) {
      *colon = 0;
      dest = colon + 1;
    } else {
      char *base = strrchr(spec, '/');
      dest = base ? base + 1 : spec;
    }
    if (colon) *colon = ':';
    if (!relative(dest)) {
      fprintf(stderr, "run_student: --file %s: DEST must be a relative path\n", spec);
      exit(125);
    }
    if (colon) *colon = 0;
    int fd = open(spec, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
      if (colon) *colon = ':';
      fprintf(stderr, "run_student: --file %s: no such file\n", spec);
      exit(125);
    }
    fds[3 + f] = fd;
    add(&payload, dest);
  }
  for (; i < argc; i++) add(&payload, argv[i]);

  signal(SIGPIPE, SIG_IGN);
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(socket_path) >= sizeof address.sun_path) die("the broker's socket path is too long", NULL);
  strcpy(address.sun_path, socket_path);
  if (c < 0 || connect(c, (struct sockaddr *)&address, sizeof address) < 0) die("cannot reach the broker", NULL);
  char header[8];
  uint32_t length = payload.length;
  memcpy(header, ASSAY_MAGIC, 4);
  memcpy(header + 4, &length, 4);
  size_t n_fds = 3 + n_files;
  union {
    char buffer[CMSG_SPACE(sizeof(int) * (3 + ASSAY_MAX_FILES))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov[2] = {{header, sizeof header}, {payload.data, payload.length}};
  struct msghdr msg = {0};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  msg.msg_control = control.buffer;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
  struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
  memcpy(CMSG_DATA(h), fds, sizeof(int) * n_fds);
  size_t total = sizeof header + payload.length, sent = 0;
  while (sent < total) {
    ssize_t w = sendmsg(c, &msg, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("cannot reach the broker", NULL);
    sent += w;
    /* The rest, without the descriptors. */
    msg.msg_control = NULL;
    msg.msg_controllen = 0;
    size_t skip = w;
    while (msg.msg_iovlen > 0 && skip >= msg.msg_iov[0].iov_len) {
      skip -= msg.msg_iov[0].iov_len;
      msg.msg_iov++;
      msg.msg_iovlen--;
    }
    if (msg.msg_iovlen > 0) {
      msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + skip;
      msg.msg_iov[0].iov_len -= skip;
    }
  }
  for (size_t f = 3; f < n_fds; f++) close(fds[f]);

  /* The answer: `STATUS` or `STATUS MESSAGE`, one line. */
  char line[512];
  size_t got = 0;
  while (got < sizeof line - 1) {
    ssize_t r = read(c, line + got, sizeof line - 1 - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += r;
    if (memchr(line, '\n', got)) break;
  }
  line[got] = 0;
  char *end = strchr(line, '\n');
  if (!end) die("the broker did not answer", NULL);
  *end = 0;
  char *message = strchr(line, ' ');
  if (message) *message++ = 0;
  if (message && *message) fprintf(stderr, "run_student: %s\n", message);
  return whole(line) && strlen(line) <= 3 ? atoi(line) : 125;
}
