// isolab-nothp PROGRAM [ARG...]
//
// Turns transparent huge pages off for itself (prctl PR_SET_THP_DISABLE,
// which fork and exec keep), then becomes PROGRAM. A templated VM clone's
// QEMU is started through this (server/vm/launch.ts): QEMU asks for huge
// pages on its TCG translation cache and on every RAM block it allocates,
// and a clone only ever touches a few MiB of each, so every partly used
// 2 MiB page would be a whole 2 MiB of its own, about 3 MiB per clone
// (ARCHITECTURE.md, templated VMs). Its guest RAM is a tmpfs file and gets
// no huge pages either way. No shell, no PATH lookup: PROGRAM is a path.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_THP_DISABLE
#define PR_SET_THP_DISABLE 41
#endif

int main(int argc, char **argv) {
  if (argc < 2 || argv[1][0] != '/') {
    fprintf(stderr, "usage: isolab-nothp /PATH/TO/PROGRAM [ARG...]\n");
    return 127;
  }
  if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) {
    fprintf(stderr, "isolab-nothp: cannot turn huge pages off: %s\n", strerror(errno));
    return 127;
  }
  execv(argv[1], argv + 1);
  fprintf(stderr, "isolab-nothp: cannot run %s: %s\n", argv[1], strerror(errno));
  return 127;
}
