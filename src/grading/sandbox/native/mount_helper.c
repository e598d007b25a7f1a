/*
 * The sandbox's mount helper (mounts.ts): one long-lived root process that mounts and unmounts
 * the runs' tmpfs work dirs on request, by the mount(2) and umount2(2) system calls themselves
 * (the script it replaces forked and exec'd mount(8) or umount(8) for each: three a run).
 *
 * Requests on stdin, NUL-separated: op, dir, options. `m`: mount a tmpfs named "assay" on dir
 * with the options (mount(8)'s nosuid, nodev and noexec are flags, the rest tmpfs's own data);
 * `u`: detach the mount on dir (MNT_DETACH). Answers on stdout, one line per request, in order:
 * `ok`, or `error <op> failed: <reason>`. When stdin closes (the server died or closed it), every
 * mount it made and did not unmount is detached and its directory removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char **live;
static size_t live_count, live_cap;

static void remember(const char *dir) {
  if (live_count == live_cap) {
    live_cap = live_cap ? live_cap * 2 : 64;
    live = realloc(live, live_cap * sizeof *live);
    if (!live) exit(1);
  }
  live[live_count] = strdup(dir);
  if (!live[live_count]) exit(1);
  live_count++;
}

static void forget(const char *dir) {
  for (size_t i = 0; i < live_count; i++) {
    if (strcmp(live[i], dir) == 0) {
      free(live[i]);
      live[i] = live[--live_count];
      return;
    }
  }
}

/* Reads one NUL-terminated field; 0 at end of input. */
static int field(char **buf, size_t *cap) {
  ssize_t n = getdelim(buf, cap, '\0', stdin);
  return n > 0 && (*buf)[n - 1] == '\0';
}

static int mount_tmpfs(const char *dir, const char *options) {
  char *data = malloc(strlen(options) + 1);
  char *copy = strdup(options);
  if (!data || !copy) exit(1);
  data[0] = '\0';
  unsigned long flags = 0;
  for (char *save = NULL, *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
    if (strcmp(opt, "nosuid") == 0) flags |= MS_NOSUID;
    else if (strcmp(opt, "nodev") == 0) flags |= MS_NODEV;
    else if (strcmp(opt, "noexec") == 0) flags |= MS_NOEXEC;
    else {
      if (data[0]) strcat(data, ",");
      strcat(data, opt);
    }
  }
  int rc = mount("assay", dir, "tmpfs", flags, data);
  free(copy);
  free(data);
  return rc;
}

int main(void) {
  char *op = NULL, *dir = NULL, *options = NULL;
  size_t op_cap = 0, dir_cap = 0, options_cap = 0;
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (field(&op, &op_cap) && field(&dir, &dir_cap) && field(&options, &options_cap)) {
    int rc = -1;
    errno = EINVAL;
    if (strcmp(op, "m") == 0) {
      rc = mount_tmpfs(dir, options);
      if (rc == 0) remember(dir);
    } else if (strcmp(op, "u") == 0) {
      rc = umount2(dir, MNT_DETACH);
      if (rc == 0) forget(dir);
    }
    if (rc == 0) printf("ok\n");
    else printf("error %s failed: %s\n", op, strerror(errno));
  }
  /* Our server is gone (or closed us): nothing it mounted may stay behind. */
  for (size_t i = 0; i < live_count; i++) {
    umount2(live[i], MNT_DETACH);
    rmdir(live[i]);
  }
  return 0;
}
