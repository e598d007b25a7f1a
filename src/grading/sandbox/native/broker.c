/*
 * The broker: the main program of a harness's sandbox when run_student separates by uid (see
 * sandbox.ts, userns.ts). bwrap starts it as the run's pid 1 (--as-pid-1: it reaps what is left to
 * it, and no process of the run can signal it), as the harness's uid (65534), holding only
 * CAP_SETUID, CAP_SETGID and CAP_SETPCAP:
 *
 *   assay-broker SOCKET FIRST_STUDENT_UID SLOTS -- HARNESS_COMMAND...
 *
 * It listens on SOCKET (in a directory only the harness's uid may enter) and starts the harness as
 * its child: same uid, no capabilities (bounding, ambient, permitted, effective, inheritable all
 * empty), no_new_privs, umask 077, a process group of its own. It keeps its capabilities (so the
 * harness cannot ptrace it), ignores the signals a harness's `kill 0` or a stray `kill` would send,
 * holds none of the run's streams, serves run_student (protocol.h) until the harness ends, and then
 * ends as the harness did (128+N for signal N, as bwrap tells it).
 *
 * Each request gets a slot of its own (student uid FIRST_STUDENT_UID + slot, area /student/SLOT,
 * 0700 to that uid; SLOTS at once) and a child that becomes that uid with nothing else (no
 * capabilities, no supplementary groups, no_new_privs, its own session), makes the area fresh if a
 * command used it before (empties it, copies /submission, read-only, into it), writes the --file
 * copies (from the files run_student opened), keeps only stdin, stdout and stderr (run_student's,
 * passed over the socket), lowers its limits (RLIMIT_NPROC counts its uid alone) and execs the
 * command. The broker waits for it, at most `time` seconds or until run_student goes away, kills
 * whatever that uid left running (kill -1 as that uid, from a child: the broker never takes a
 * student uid), answers, and makes the area fresh behind the answer.
 * A student uid has no capabilities and is not the harness's: it cannot read the harness's /work
 * (0700), signal or ptrace the harness or the broker, nor reach another slot's area.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

static unsigned first_uid, slots;

/* ---- capabilities ---------------------------------------------------------------------------- */

/* Empties the bounding set (needs CAP_SETPCAP) and the ambient set. */
static int drop_bounding(void) {
  for (int cap = 0; cap < 64; cap++) {
    int held = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (held < 0) break; /* past the kernel's last capability */
    if (held && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) return -1;
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return -1;
  return 0;
}

/* Empties the permitted, effective and inheritable sets: nothing is left to gain back. */
static int drop_capabilities(void) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) < 0) return -1;
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/*
 * Every process of `uid` is killed: kill -1 as that uid (it signals what that uid runs, never the
 * caller or the harness), from a child of its own, so that the broker is never that uid itself.
 */
static void kill_uid(uid_t uid) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setresuid(uid, uid, uid) == 0) kill(-1, SIGKILL);
    _exit(0);
  }
  if (pid > 0)
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* Whether a process of `uid` is there (its real uid, in /proc/PID/status, which every process shows). */
static int runs_as(uid_t uid) {
  DIR *d = opendir("/proc");
  if (!d) return 1;
  int found = 0;
  struct dirent *e;
  while (!found && (e = readdir(d))) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    char path[300], text[4096];
    snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) continue;
    text[n] = 0;
    char *line = strstr(text, "\nUid:");
    if (line && strtoul(line + 5, NULL, 10) == uid) found = 1;
  }
  closedir(d);
  return found;
}

/* ---- files ----------------------------------------------------------------------------------- */

/* Removes what `dir` (an open directory) holds, not following symlinks. */
static int empty_dir(int dir) {
  int ok = 0;
  DIR *d = fdopendir(dup(dir));
  if (!d) return -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (unlinkat(dir, e->d_name, 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) {
      ok = -1;
      continue;
    }
    int sub = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) {
      /* A directory the student made unreadable: it is the student's own, so it may open it up. */
      fchmodat(dir, e->d_name, 0700, 0);
      sub = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (sub < 0 || (fchmod(sub, 0700), empty_dir(sub)) < 0) ok = -1;
    if (sub >= 0) close(sub);
    if (unlinkat(dir, e->d_name, AT_REMOVEDIR) < 0) ok = -1;
  }
  closedir(d);
  return ok;
}

static int copy_data(int from, int to) {
  char buffer[65536];
  for (;;) {
    ssize_t n = read(from, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(to, buffer + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return -1;
      done += w;
    }
  }
}

/* Copies the tree `from` holds into `to` (both open directories), as cp -R does: modes less umask 022. */
static int copy_tree(int from, int to) {
  int ok = 0;
  DIR *d = fdopendir(dup(from));
  if (!d) return -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat st;
    if (fstatat(from, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      ok = -1;
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(to, e->d_name, 0700) < 0) {
        ok = -1;
        continue;
      }
      int a = openat(from, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int b = openat(to, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (a < 0 || b < 0 || copy_tree(a, b) < 0) ok = -1;
      if (b >= 0) fchmod(b, st.st_mode & 0755);
      if (a >= 0) close(a);
      if (b >= 0) close(b);
    } else if (S_ISREG(st.st_mode)) {
      int a = openat(from, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      int b = openat(to, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0755);
      if (a < 0 || b < 0 || copy_data(a, b) < 0) ok = -1;
      if (a >= 0) close(a);
      if (b >= 0) close(b);
    } else if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = readlinkat(from, e->d_name, target, sizeof target - 1);
      if (n < 0) {
        ok = -1;
        continue;
      }
      target[n] = 0;
      if (symlinkat(target, to, e->d_name) < 0) ok = -1;
    }
  }
  closedir(d);
  return ok;
}

/*
 * Makes /student/SLOT fresh, in a process that is the slot's uid already (the area is 0700 to it):
 * kills whatever that uid still runs, empties the area and copies the submission in.
 */
static int refresh_area(unsigned slot) {
  char area[64];
  snprintf(area, sizeof area, "/student/%u", slot);
  kill(-1, SIGKILL);
  int ok = -1;
  int to = open(area, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (to >= 0 && empty_dir(to) == 0) {
    int from = open("/submission", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok = from < 0 ? (errno == ENOENT ? 0 : -1) : copy_tree(from, to);
    if (from >= 0) close(from);
  }
  if (to >= 0) close(to);
  return ok;
}

/* This process becomes `uid` (user, group, no supplementary groups) with no capabilities at all. */
static int become(uid_t uid) {
  if (drop_bounding() < 0 || setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0) return -1;
  return drop_capabilities();
}

/* Writes a --file copy (`fd`, opened by run_student) at `dest` in the current directory, as the caller. */
static int place_file(int fd, char *dest) {
  for (char *slash = strchr(dest, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = 0;
    int made = mkdir(dest, 0755);
    *slash = '/';
    if (made < 0 && errno != EEXIST) return -1;
  }
  unlink(dest);
  int to = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (to < 0) return -1;
  int ok = lseek(fd, 0, SEEK_SET) >= 0 || errno == ESPIPE ? copy_data(fd, to) : -1;
  close(to);
  return ok;
}

/* ---- requests -------------------------------------------------------------------------------- */

struct request {
  double time;
  unsigned long cpu, memory, processes, file_size;
  int has_memory;
  char **env;
  size_t n_env;
  char **dests;
  size_t n_files;
  char **argv;
  int fds[3 + ASSAY_MAX_FILES];
  size_t n_fds;
  char *payload;
  char **fields;
};

static int whole(const char *s, unsigned long *out) {
  if (!*s || strlen(s) > 12) return -1;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9') return -1;
  *out = strtoul(s, NULL, 10);
  return 0;
}

static int seconds(const char *s, double *out) {
  const char *p = s;
  if (*p < '0' || *p > '9') return -1;
  while (*p >= '0' && *p <= '9') p++;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return -1;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p || p - s > 15) return -1;
  *out = strtod(s, NULL);
  return 0;
}

static int valid_env(const char *v) {
  const char *p = v;
  if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_')) return 0;
  for (p++; *p && *p != '='; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
  return *p == '=';
}

/* A relative path with no `.` or `..` part and no empty one. */
static int valid_dest(const char *d) {
  if (!*d || *d == '/') return 0;
  for (const char *p = d; *p;) {
    const char *end = strchr(p, '/');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 0;
    p += n;
    if (*p == '/') p++;
    if (end && !*p) return 0;
  }
  return 1;
}

static int read_all(int fd, void *buffer, size_t n) {
  for (size_t done = 0; done < n;) {
    ssize_t r = read(fd, (char *)buffer + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    done += r;
  }
  return 0;
}

/* Reads one request from `c`; returns NULL with `why` set when it is not a good one. */
static const char *read_request(int c, struct request *q) {
  char header[8];
  union {
    char buffer[CMSG_SPACE(sizeof(int) * (3 + ASSAY_MAX_FILES))];
    struct cmsghdr align;
  } control;
  struct iovec iov = {header, sizeof header};
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;
  ssize_t n;
  do n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (n < 0 && errno == EINTR);
  q->n_fds = 0;
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count && q->n_fds < 3 + ASSAY_MAX_FILES; i++) memcpy(&q->fds[q->n_fds++], CMSG_DATA(h) + i * sizeof(int), sizeof(int));
  }
  if (n != sizeof header || (msg.msg_flags & MSG_CTRUNC) || memcmp(header, ASSAY_MAGIC, 4)) return "bad request";
  uint32_t length;
  memcpy(&length, header + 4, 4);
  if (length == 0 || length > ASSAY_MAX_PAYLOAD) return "bad request";
  q->payload = malloc(length + 1);
  if (!q->payload || read_all(c, q->payload, length) < 0) return "bad request";
  q->payload[length] = 0;
  if (q->payload[length - 1] != 0) return "bad request";
  /* The fields. */
  size_t count = 0;
  for (uint32_t i = 0; i < length; i++) count += q->payload[i] == 0;
  char **field = q->fields = calloc(count + 1, sizeof *field);
  if (!field) return "bad request";
  for (size_t i = 0, at = 0; i < count; i++) {
    field[i] = q->payload + at;
    at += strlen(field[i]) + 1;
  }
  size_t at = 0;
  if (count < 8) return "bad request";
  if (seconds(field[0], &q->time) < 0 || whole(field[1], &q->cpu) < 0 || whole(field[3], &q->processes) < 0 || whole(field[4], &q->file_size) < 0) return "bad limits";
  q->has_memory = field[2][0] != 0;
  if (q->has_memory && whole(field[2], &q->memory) < 0) return "bad limits";
  unsigned long n_env, n_files;
  if (whole(field[5], &n_env) < 0 || n_env > count - 6) return "bad request";
  q->env = field + 6;
  q->n_env = n_env;
  for (size_t i = 0; i < n_env; i++)
    if (!valid_env(q->env[i])) return "bad request";
  at = 6 + n_env;
  if (at >= count || whole(field[at], &n_files) < 0 || n_files > ASSAY_MAX_FILES || n_files > count - at - 1) return "bad request";
  q->dests = field + at + 1;
  q->n_files = n_files;
  for (size_t i = 0; i < n_files; i++)
    if (!valid_dest(q->dests[i])) return "--file: DEST must be a relative path";
  at += 1 + n_files;
  if (at >= count) return "no command";
  q->argv = field + at; /* field[count] is NULL */
  if (q->n_fds != 3 + n_files) return "bad request";
  return NULL;
}

static void answer(int c, const char *line) {
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = send(c, line, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    line += w;
    n -= w;
  }
}

static void lower(int resource, unsigned long value) {
  struct rlimit now;
  if (getrlimit(resource, &now) < 0) return;
  rlim_t v = value;
  if (now.rlim_max != RLIM_INFINITY && v > now.rlim_max) return; /* limits only go down */
  struct rlimit next = {v, v};
  setrlimit(resource, &next);
}

static void say(const char *format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof line, format, args);
  va_end(args);
  if (n > 0) {
    ssize_t ignored = write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    (void)ignored;
  }
}

/* The signals the broker ignores (see main), back to their defaults in a process it starts. */
static const int IGNORED[] = {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2};

static void default_signals(void) {
  for (size_t i = 0; i < sizeof IGNORED / sizeof *IGNORED; i++) signal(IGNORED[i], SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The student's process: becomes the slot's uid with nothing else, then execs the command. */
static void student(struct request *q, unsigned slot, uid_t uid, int fresh) {
  default_signals();
  setsid();
  /* stdin, stdout and stderr: run_student's (above any fd 0-2 first, so none is lost on the way). */
  int streams[3];
  for (int i = 0; i < 3; i++) streams[i] = fcntl(q->fds[i], F_DUPFD_CLOEXEC, 10);
  for (int i = 0; i < 3; i++)
    if (streams[i] < 0 || dup2(streams[i], i) < 0) _exit(125);
  if (become(uid) < 0) {
    say("run_student: cannot become the student's uid: %s\n", strerror(errno));
    _exit(125);
  }
  umask(022);
  if (!fresh && refresh_area(slot) < 0) {
    say("run_student: cannot prepare the student's area\n");
    _exit(125);
  }
  char area[64];
  snprintf(area, sizeof area, "/student/%u", slot);
  if (chdir(area) < 0) {
    say("run_student: cannot enter the student's area: %s\n", strerror(errno));
    _exit(125);
  }
  /* The harness's --file copies, written as the student (the area is its own). */
  for (size_t i = 0; i < q->n_files; i++) {
    if (place_file(q->fds[3 + i], q->dests[i]) < 0) {
      say("run_student: cannot copy --file %s: %s\n", q->dests[i], strerror(errno));
      _exit(125);
    }
  }
  /* Only 0, 1 and 2 stay open. */
  if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
    for (int fd = 3; fd < 1024; fd++) close(fd);
  lower(RLIMIT_CPU, q->cpu);
  lower(RLIMIT_FSIZE, q->file_size * 1024 * 1024);
  lower(RLIMIT_CORE, 0);
  if (q->has_memory) lower(RLIMIT_AS, q->memory * 1024 * 1024);
  /* RLIMIT_NPROC counts the processes of this uid, which is the student's alone. */
  lower(RLIMIT_NPROC, q->processes);
  char **env = calloc(q->n_env + 5, sizeof *env);
  char home[80];
  snprintf(home, sizeof home, "HOME=%s", area);
  size_t n = 0;
  if (!env) _exit(125);
  env[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
  env[n++] = home;
  env[n++] = "LANG=C.UTF-8";
  env[n++] = "TMPDIR=/tmp";
  for (size_t i = 0; i < q->n_env; i++) {
    size_t name = strchr(q->env[i], '=') - q->env[i];
    size_t j = 0;
    while (j < n && strncmp(env[j], q->env[i], name + 1) != 0) j++;
    env[j] = q->env[i];
    if (j == n) n++;
  }
  env[n] = NULL;
  environ = env;
  execvp(q->argv[0], q->argv);
  int why = errno;
  say("run_student: %s: %s\n", q->argv[0], strerror(why));
  _exit(why == ENOENT ? 127 : 126);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- the broker ------------------------------------------------------------------------------ */

/* A slot: idle (its area fresh or not), running a command for a connection, or being made fresh. */
struct slot {
  enum { IDLE, RUNNING, REFRESHING } state;
  int fresh;
  pid_t pid;
  int conn;
  double deadline;
  int timed_out, gone;
};

/* The command (the slot's uid yet or not: the broker's own child until it is) and all that uid runs. */
static void stop(struct slot *s, uid_t uid) {
  kill(s->pid, SIGKILL);
  kill_uid(uid);
}

/* A connection from run_student: its request is read and its command started in slot `n`. */
static void start(struct slot *slot, unsigned n, int c) {
  struct ucred peer;
  socklen_t size = sizeof peer;
  /* Only the harness's uid reaches the socket (its directory is 0700); the kernel's word on it. */
  if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &peer, &size) < 0 || peer.uid != getuid()) {
    close(c);
    return;
  }
  /* The harness sends its request at once; one that does not only holds up its own run_student calls. */
  struct timeval patience = {2, 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  struct request q = {0};
  const char *why = read_request(c, &q);
  pid_t pid = -1;
  if (!why) {
    pid = fork();
    if (pid == 0) student(&q, n, first_uid + n, slot->fresh);
    if (pid < 0) why = "cannot start the command";
  }
  for (size_t i = 0; i < q.n_fds; i++) close(q.fds[i]);
  free(q.payload);
  free(q.fields);
  if (why) {
    char line[128];
    snprintf(line, sizeof line, "125 %s\n", why);
    answer(c, line);
    close(c);
    return;
  }
  *slot = (struct slot){RUNNING, 0, pid, c, now() + q.time, 0, 0};
}

/* The slot's command ended: what it left running is killed, run_student answered, the area made fresh behind. */
static void finish(struct slot *slot, unsigned n, int status) {
  uid_t uid = first_uid + n;
  if (runs_as(uid)) kill_uid(uid);
  if (!slot->gone) {
    int code = slot->timed_out ? 124 : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    char line[32];
    snprintf(line, sizeof line, "%d\n", code);
    answer(slot->conn, line);
  }
  close(slot->conn);
  slot->conn = -1;
  /* A harness that ends right after its last run_student never waits for this. */
  pid_t pid = fork();
  if (pid == 0) _exit(become(uid) == 0 && refresh_area(n) == 0 ? 0 : 1);
  if (pid < 0) *slot = (struct slot){IDLE, 0, 0, -1, 0, 0, 0};
  else *slot = (struct slot){REFRESHING, 0, pid, -1, 0, 0, 0};
}

/*
 * The broker's loop, until the harness (`harness`, its child) ends; then it ends the same way. Each
 * slot serves one run_student at a time; a request waits in the socket's backlog while all are busy.
 */
static int serve(int listener, int signals, pid_t harness) {
  struct slot slot[ASSAY_MAX_SLOTS];
  for (unsigned s = 0; s < slots; s++) slot[s] = (struct slot){IDLE, 0, 0, -1, 0, 0, 0};
  /* The first area comes filled (sandbox.ts); the others are filled when first used. */
  slot[0].fresh = 1;
  for (;;) {
    struct pollfd p[2 + ASSAY_MAX_SLOTS];
    int idle = -1;
    for (unsigned s = 0; s < slots; s++)
      if (slot[s].state == IDLE && (idle < 0 || (slot[s].fresh && !slot[idle].fresh))) idle = s;
    p[0] = (struct pollfd){signals, POLLIN, 0};
    p[1] = (struct pollfd){listener, idle >= 0 ? POLLIN : 0, 0};
    double first_deadline = 0;
    for (unsigned s = 0; s < slots; s++) {
      int watch = slot[s].state == RUNNING && !slot[s].gone;
      p[2 + s] = (struct pollfd){watch ? slot[s].conn : -1, POLLIN, 0};
      if (slot[s].state == RUNNING && !slot[s].timed_out && (first_deadline == 0 || slot[s].deadline < first_deadline)) first_deadline = slot[s].deadline;
    }
    int wait_ms = -1;
    if (first_deadline > 0) {
      double left = first_deadline - now();
      wait_ms = left <= 0 ? 0 : left > 86400 ? 86400000 : (int)(left * 1000) + 1;
    }
    int ready = poll(p, 2 + slots, wait_ms);
    if (ready < 0 && errno != EINTR) return 125;
    double at = now();
    for (unsigned s = 0; s < slots; s++) {
      struct slot *t = &slot[s];
      if (t->state != RUNNING) continue;
      if (!t->timed_out && at >= t->deadline) {
        t->timed_out = 1;
        stop(t, first_uid + s);
      }
      if (ready > 0 && !t->gone && (p[2 + s].revents & (POLLIN | POLLHUP | POLLERR))) {
        /* run_student went away (the harness killed it): so does the command. It sends nothing else. */
        char bytes[512];
        if (recv(t->conn, bytes, sizeof bytes, MSG_DONTWAIT) <= 0) {
          t->gone = 1;
          stop(t, first_uid + s);
        }
      }
    }
    if (ready > 0 && (p[0].revents & POLLIN)) {
      struct signalfd_siginfo info;
      while (read(signals, &info, sizeof info) > 0) {
      }
      int status;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == harness) return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        for (unsigned s = 0; s < slots; s++) {
          if (slot[s].pid != pid) continue;
          if (slot[s].state == RUNNING) finish(&slot[s], s, status);
          else if (slot[s].state == REFRESHING) slot[s] = (struct slot){IDLE, WIFEXITED(status) && WEXITSTATUS(status) == 0, 0, -1, 0, 0, 0};
        }
      }
    }
    if (ready > 0 && idle >= 0 && (p[1].revents & POLLIN)) {
      int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
      if (c >= 0) start(&slot[idle], idle, c);
    }
  }
}

int main(int argc, char **argv) {
  unsigned long first, count;
  if (argc < 6 || strcmp(argv[4], "--") || whole(argv[2], &first) < 0 || whole(argv[3], &count) < 0 || count == 0 || count > ASSAY_MAX_SLOTS) {
    fprintf(stderr, "usage: assay-broker SOCKET FIRST_STUDENT_UID SLOTS -- COMMAND...\n");
    return 125;
  }
  first_uid = first;
  slots = count;
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof address.sun_path) return 125;
  strcpy(address.sun_path, argv[1]);
  umask(077);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(listener, 64) < 0) {
    fprintf(stderr, "assay-broker: cannot listen on %s: %s\n", argv[1], strerror(errno));
    return 125;
  }
  sigset_t children;
  sigemptyset(&children);
  sigaddset(&children, SIGCHLD);
  sigprocmask(SIG_BLOCK, &children, NULL);
  /* A harness's `kill 0` or stray signal must not end the run's main process: the broker. */
  for (size_t i = 0; i < sizeof IGNORED / sizeof *IGNORED; i++) signal(IGNORED[i], SIG_IGN);
  int signals = signalfd(-1, &children, SFD_CLOEXEC | SFD_NONBLOCK);
  pid_t harness = signals < 0 ? -1 : fork();
  if (harness == 0) {
    /* The harness: same uid, no capabilities and none to gain back, files its own only, a process
       group of its own (its `kill 0` is its own). */
    default_signals();
    setpgid(0, 0);
    if (drop_bounding() < 0 || drop_capabilities() < 0) {
      fprintf(stderr, "assay-broker: cannot drop capabilities: %s\n", strerror(errno));
      _exit(125);
    }
    execvp(argv[5], argv + 5);
    fprintf(stderr, "assay-broker: %s: %s\n", argv[5], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  if (harness < 0) {
    fprintf(stderr, "assay-broker: cannot start the harness: %s\n", strerror(errno));
    return 125;
  }
  /* The broker holds none of the run's streams: they are the harness's (and run_student's) alone. */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    for (int i = 0; i < 3; i++) dup2(null, i);
    close(null);
  }
  umask(022);
  return serve(listener, signals, harness);
}
