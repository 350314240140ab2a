/*
 * isolab-shim: runs an OCI runtime command that leaves a detached container
 * init behind (`runc run -d`, `runc create`) and records how that init ends.
 *
 *   isolab-shim STATUS_FILE PID_FILE RUNTIME [ARG...]
 *
 * Without it the init is re-parented away from Isolab when the runtime
 * exits, so nobody that cares can wait() for it: a kill -9 from outside and
 * a clean exit look the same. Like conmon and containerd-shim, this forks a
 * keeper that makes itself a child subreaper, runs the runtime (an argument
 * array, never a shell), and so adopts the init when the runtime exits. The
 * process the caller started exits with the runtime's status as soon as the
 * runtime has exited, so the caller times the start as before; the keeper
 * waits for the init and writes `{"pid":P,"code":N}` or
 * `{"pid":P,"signal":N,"core":B}` to STATUS_FILE (written aside, renamed in).
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

/* Exit codes of the front process when the runtime never ran. */
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

static void keeper(const char *status_file, const char *pid_file, char **runtime_argv, int answer_fd) {
  /* Its own session: a Ctrl-C meant for the server does not end the record of the container. */
  setsid();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) fail("PR_SET_CHILD_SUBREAPER");
  pid_t runtime = fork();
  if (runtime < 0) fail("fork");
  if (runtime == 0) {
    execvp(runtime_argv[0], runtime_argv);
    fprintf(stderr, "isolab-shim: cannot run %s: %s\n", runtime_argv[0], strerror(errno));
    _exit(RUNTIME_NOT_RUN);
  }
  int status = 0;
  if (wait_retry(runtime, &status) < 0) fail("waitpid");
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_t init = code == 0 ? read_pid(pid_file) : 0;
  if (write(answer_fd, &code, sizeof code) != (ssize_t)sizeof code) _exit(SHIM_FAILED);
  close(answer_fd);
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
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: isolab-shim STATUS_FILE PID_FILE RUNTIME [ARG...]\n");
    return 2;
  }
  int answer[2];
  if (pipe2(answer, O_CLOEXEC) < 0) fail("pipe");
  pid_t k = fork();
  if (k < 0) fail("fork");
  if (k == 0) {
    close(answer[0]);
    keeper(argv[1], argv[2], argv + 3, answer[1]);
  }
  close(answer[1]);
  int code;
  ssize_t n;
  do n = read(answer[0], &code, sizeof code);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof code) {
    fprintf(stderr, "isolab-shim: the keeper ended before the runtime answered\n");
    return SHIM_FAILED;
  }
  return code;
}
