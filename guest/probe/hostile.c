/* `hostile [host_pid]`: what a hostile image would try, each attempt in a
 * child of its own so that nothing it gains outlives it, and each chosen so
 * that succeeding changes nothing that matters:
 *   mount      a tmpfs on a fresh directory under /tmp, unmounted at once
 *   userns     unshare(CLONE_NEWUSER)
 *   keyctl     add_key() into the child's own process keyring
 *   ptrace     PTRACE_SEIZE of host_pid (a sleep the host started), then detach
 *   sysctl     rewrites /proc/sys/vm/overcommit_ratio with its own value
 *   module     finit_module(-1): EBADF means the kernel let it get past the
 *              capability check (nothing is loaded), EPERM that it did not
 *   setuid     a setuid-root copy of the probe in /tmp, run as nobody: does
 *              its effective uid become 0?
 * One JSON line: {"attempts":[{"name","ok","errno"?,"detail"}]}. */
#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each attempt returns 0 on success or an errno; detail is filled in. */
typedef int (*attempt_fn)(long host_pid, char *detail, size_t len);

static int try_mount(long host_pid, char *detail, size_t len) {
  (void)host_pid;
  char dir[] = "/tmp/hostile-XXXXXX";
  if (!mkdtemp(dir)) return errno;
  int rc = mount("none", dir, "tmpfs", 0, "size=4k") == 0 ? 0 : errno;
  if (rc == 0) umount2(dir, MNT_DETACH);
  rmdir(dir);
  snprintf(detail, len, "mount -t tmpfs on %s", dir);
  return rc;
}

static int try_userns(long host_pid, char *detail, size_t len) {
  (void)host_pid;
  snprintf(detail, len, "unshare(CLONE_NEWUSER)");
  return unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
}

static int try_keyctl(long host_pid, char *detail, size_t len) {
  (void)host_pid;
  snprintf(detail, len, "add_key(\"user\") into its own process keyring");
  long id = syscall(SYS_add_key, "user", "isolab-hostile", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */);
  return id >= 0 ? 0 : errno;
}

static int try_ptrace(long host_pid, char *detail, size_t len) {
  snprintf(detail, len, "PTRACE_SEIZE of host pid %ld", host_pid);
  if (host_pid <= 0) return ESRCH;
  if (ptrace(PTRACE_SEIZE, (pid_t)host_pid, 0, 0) != 0) return errno;
  ptrace(PTRACE_DETACH, (pid_t)host_pid, 0, 0);
  return 0;
}

static int try_sysctl(long host_pid, char *detail, size_t len) {
  (void)host_pid;
  const char *path = "/proc/sys/vm/overcommit_ratio";
  snprintf(detail, len, "rewrite %s with its own value", path);
  char value[32] = "";
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n = read(fd, value, sizeof value - 1);
  close(fd);
  if (n <= 0) return EIO;
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int rc = write(fd, value, (size_t)n) == n ? 0 : errno;
  close(fd);
  return rc;
}

static int try_module(long host_pid, char *detail, size_t len) {
  (void)host_pid;
  snprintf(detail, len, "finit_module(-1): EBADF = past the capability check, nothing loaded");
  if (syscall(SYS_finit_module, -1, "", 0) == 0) return 0;
  return errno == EBADF ? 0 : errno;
}

static int try_setuid(long host_pid, char *detail, size_t len) {
  (void)host_pid;
  char path[] = "/tmp/hostile-suid-XXXXXX";
  int out = mkstemp(path);
  if (out < 0) return errno;
  int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  char buf[65536];
  ssize_t n;
  int rc = 0;
  while (in >= 0 && (n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) rc = errno ? errno : EIO;
  if (in >= 0) close(in);
  close(out);
  if (in < 0 || rc) {
    unlink(path);
    return in < 0 ? errno : rc;
  }
  if (chown(path, 0, 0) != 0 || chmod(path, 04755) != 0) {
    rc = errno;
    unlink(path);
    snprintf(detail, len, "chown/chmod u+s of a copy in /tmp");
    return rc;
  }
  pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    execl(path, path, "euid", (char *)NULL);
    _exit(4);
  }
  int status = 0;
  waitpid(child, &status, 0);
  unlink(path);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 5;
  snprintf(detail, len, code == 0 ? "a setuid-root file run as nobody ran as root"
                        : code == 1 ? "a setuid-root file run as nobody kept uid nobody (nosuid mount or no_new_privs)"
                                    : "could not drop to nobody or run the copy");
  return code == 0 ? 0 : EPERM;
}

/* `probe euid`: exits 0 when it runs with effective uid 0 (the setuid test's far side). */
int cmd_euid(void) { return geteuid() == 0 ? 0 : 1; }

/* musl has no strerrorname_np: the names these attempts meet, else "E<n>". */
static const char *errno_name(int e) {
  static char other[16];
  switch (e) {
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case ENOSYS: return "ENOSYS";
  case EINVAL: return "EINVAL";
  case ESRCH: return "ESRCH";
  case EROFS: return "EROFS";
  case ENOENT: return "ENOENT";
  case ENOSPC: return "ENOSPC";
  case EUSERS: return "EUSERS";
  case EIO: return "EIO";
  default: snprintf(other, sizeof other, "E%d", e); return other;
  }
}

static const struct {
  const char *name;
  attempt_fn fn;
} ATTEMPTS[] = {
    {"mount", try_mount},   {"userns", try_userns}, {"keyctl", try_keyctl}, {"ptrace", try_ptrace},
    {"sysctl", try_sysctl}, {"module", try_module}, {"setuid", try_setuid},
};

int cmd_hostile(int argc, char **argv) {
  long host_pid = arg_num(argc, argv, 0, 0, 0, 4194304, "host_pid");
  fputs("{\"attempts\":[", stdout);
  for (size_t i = 0; i < sizeof ATTEMPTS / sizeof ATTEMPTS[0]; i++) {
    int pipefd[2];
    if (pipe(pipefd) != 0) die(1, "pipe failed");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) die(1, "fork failed");
    if (child == 0) {
      close(pipefd[0]);
      char detail[200] = "";
      int rc = ATTEMPTS[i].fn(host_pid, detail, sizeof detail);
      dprintf(pipefd[1], "%d\n%s", rc, detail);
      _exit(0);
    }
    close(pipefd[1]);
    char msg[256] = "";
    ssize_t n = read(pipefd[0], msg, sizeof msg - 1);
    close(pipefd[0]);
    waitpid(child, NULL, 0);
    msg[n > 0 ? n : 0] = 0;
    int rc = n > 0 ? atoi(msg) : EIO;
    char *nl = strchr(msg, '\n');
    const char *detail = nl ? nl + 1 : "the attempt's child died";
    printf("%s{\"name\":\"%s\",\"ok\":%s", i ? "," : "", ATTEMPTS[i].name, rc == 0 ? "true" : "false");
    if (rc) printf(",\"errno\":\"%s\"", errno_name(rc));
    fputs(",\"detail\":", stdout);
    json_str(stdout, detail);
    fputc('}', stdout);
  }
  fputs("]}\n", stdout);
  return 0;
}
