/*
 * isolab-shim: runs an OCI runtime command that leaves a detached container
 * init behind (`runc run -d`, `runc create`) and records how that init ends.
 *
 *   isolab-shim STATUS_FILE PID_FILE RUNTIME [ARG...]   (answer pipe on fd 3)
 *
 * Without it the init is re-parented away from Isolab when the runtime
 * exits, so nobody that cares can wait() for it: a kill -9 from outside and
 * a clean exit look the same. Like conmon and containerd-shim, it makes
 * itself a child subreaper, runs the runtime (an argument array, never a
 * shell), and so adopts the init when the runtime exits. The runtime's exit
 * status goes to fd 3 as soon as the runtime has exited, so the caller times
 * the start as before without waiting for this process, which then waits
 * for the init and writes `{"pid":P,"code":N}` or
 * `{"pid":P,"signal":N,"core":B}` to STATUS_FILE (written aside, renamed in).
 * No second process: each one more is a scheduling hop on the start path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The caller's pipe for the runtime's exit status, a decimal line. */
#define ANSWER_FD 3
/* Exit codes when the runtime never ran. */
#define SHIM_FAILED 125
#define RUNTIME_NOT_RUN 127

static void fail(const char *what) {
  fprintf(stderr, "isolab-shim: %s: %s\n", what, strerror(errno));
  _exit(SHIM_FAILED);
}

static pid_t wait_retry(pid_t pid, int *status) {
  pid_t p;
  do p = waitpid(pid, status, 0);
  while (p < 0 && errno == EINTR);
  return p;
}

/* The runtime writes the init's host pid without a newline; 0 when unreadable. */
static pid_t read_pid(const char *file) {
  char buf[32];
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  long pid = strtol(buf, NULL, 10);
  return pid > 0 ? (pid_t)pid : 0;
}

static void write_status(const char *file, pid_t pid, int status) {
  char tmp[4096], text[128];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", file) >= (int)sizeof tmp) return;
  int len = WIFSIGNALED(status)
                ? snprintf(text, sizeof text, "{\"pid\":%d,\"signal\":%d,\"core\":%s}\n", (int)pid, WTERMSIG(status),
                           WCOREDUMP(status) ? "true" : "false")
                : snprintf(text, sizeof text, "{\"pid\":%d,\"code\":%d}\n", (int)pid, WEXITSTATUS(status));
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return; /* the instance directory is gone: nobody is left to read it */
  int ok = write(fd, text, (size_t)len) == len;
  close(fd);
  if (ok) rename(tmp, file);
  else unlink(tmp);
}

int main(int argc, char **argv) {
  if (argc < 4 || fcntl(ANSWER_FD, F_GETFD) < 0) {
    fprintf(stderr, "usage: isolab-shim STATUS_FILE PID_FILE RUNTIME [ARG...], with a pipe for the answer on fd 3\n");
    return 2;
  }
  const char *status_file = argv[1], *pid_file = argv[2];
  /* The runtime and the container must not hold the answer pipe open. */
  if (fcntl(ANSWER_FD, F_SETFD, FD_CLOEXEC) < 0) fail("fcntl");
  /* Its own session: a Ctrl-C meant for the server does not end the record of the container. */
  setsid();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) fail("PR_SET_CHILD_SUBREAPER");
  pid_t runtime = fork();
  if (runtime < 0) fail("fork");
  if (runtime == 0) {
    execvp(argv[3], argv + 3);
    fprintf(stderr, "isolab-shim: cannot run %s: %s\n", argv[3], strerror(errno));
    _exit(RUNTIME_NOT_RUN);
  }
  int status = 0;
  if (wait_retry(runtime, &status) < 0) fail("waitpid");
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_t init = code == 0 ? read_pid(pid_file) : 0;
  char answer[16];
  int len = snprintf(answer, sizeof answer, "%d\n", code);
  if (write(ANSWER_FD, answer, (size_t)len) != len) _exit(SHIM_FAILED);
  close(ANSWER_FD);
  /* Hold none of the caller's files (its log) open from here on. */
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    if (devnull > 2) close(devnull);
  }
  /* Reap whatever the runtime left to us; the init's status is the one to keep. */
  for (;;) {
    pid_t p = wait_retry(-1, &status);
    if (p < 0) break; /* ECHILD: nothing left, the init included */
    if (init > 0 && p == init) {
      write_status(status_file, p, status);
      break;
    }
  }
  return 0;
}
