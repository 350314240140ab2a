// isolab-cgexec [--max-file-bytes N] CGROUP.PROCS... -- PROGRAM [ARG...]
//
// Joins the given cgroups, then becomes PROGRAM. The bare process and every
// command run beside it are spawned through this, so they are inside their
// cgroup (its memory, CPU and pids limits) from their first instruction: a
// pid written into cgroup.procs after spawn would leave a window in which the
// program allocates outside its limits, and Node cannot join a cgroup
// between fork and exec. Writing "0" moves the writing process itself, on
// cgroup v1 and v2 alike. No shell, no PATH lookup: PROGRAM is a path.
//
// --max-file-bytes caps every file the program writes (RLIMIT_FSIZE), with
// SIGXFSZ ignored so that a write past the cap fails with EFBIG ("File too
// large"), which the program reports, instead of killing it.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int join(const char *procs) {
  int fd = open(procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, "0\n", 2);
  int saved = errno;
  close(fd);
  errno = saved;
  return n == 2 ? 0 : -1;
}

static int usage(void) {
  fprintf(stderr, "usage: isolab-cgexec [--max-file-bytes N] CGROUP.PROCS... -- PROGRAM [ARG...]\n");
  return 127;
}

int main(int argc, char **argv) {
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--max-file-bytes") == 0) {
    char *end;
    errno = 0;
    unsigned long long cap = strtoull(argv[2], &end, 10);
    if (errno != 0 || *end != '\0' || end == argv[2]) return usage();
    struct rlimit rl = {cap, cap};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0 || signal(SIGXFSZ, SIG_IGN) == SIG_ERR) {
      fprintf(stderr, "isolab-cgexec: cannot cap file sizes: %s\n", strerror(errno));
      return 127;
    }
    first = 3;
  }
  int sep = first;
  while (sep < argc && strcmp(argv[sep], "--") != 0) sep++;
  if (sep >= argc - 1 || sep == first) return usage();
  for (int i = first; i < sep; i++) {
    if (join(argv[i]) != 0) {
      fprintf(stderr, "isolab-cgexec: cannot join %s: %s\n", argv[i], strerror(errno));
      return 127;
    }
  }
  execv(argv[sep + 1], &argv[sep + 1]);
  fprintf(stderr, "isolab-cgexec: cannot run %s: %s\n", argv[sep + 1], strerror(errno));
  return 127;
}
