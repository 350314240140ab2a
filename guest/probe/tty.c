/* The VM's terminal: an interactive shell on the third serial port (ttyS2),
 * which the host reaches through its own QEMU chardev — not the console
 * (ttyS0, the kernel log) and not the agent's port (ttyS1). The host asks
 * over the agent:
 *   tty-open ROWS COLS   (a probe command, so its forked handler waits):
 *                        ends whatever still runs on the port, starts
 *                        /bin/sh in a new session with ttyS2 as its
 *                        controlling tty, and exits with the shell's status
 *                        once it ends, which tells the host the session ended;
 *   tty-resize ROWS COLS (agent built-in): TIOCSWINSZ on the port; the kernel
 *                        sends SIGWINCH to its foreground process group;
 *   tty-hangup           (agent built-in): SIGKILL to every process whose
 *                        controlling tty is the port. */
#define _GNU_SOURCE
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define TERM_DEV "/dev/ttyS2"
#define MAX_ROWS 500
#define MAX_COLS 1000

static int parse_size(const char *s, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 1 || v > max) return -1;
  *out = v;
  return 0;
}

int tty_resize(const char *rows, const char *cols) {
  long r, c;
  if (parse_size(rows, MAX_ROWS, &r) || parse_size(cols, MAX_COLS, &c)) return 2;
  int fd = open(TERM_DEV, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return 1;
  struct winsize ws = {.ws_row = (unsigned short)r, .ws_col = (unsigned short)c};
  int rc = ioctl(fd, TIOCSWINSZ, &ws) == 0 ? 0 : 1;
  close(fd);
  return rc;
}

/* tty_nr as /proc/<pid>/stat encodes it (the kernel's new_encode_dev). */
static long encoded_dev(dev_t d) {
  unsigned maj = major(d), min = minor(d);
  return (long)((min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12));
}

int tty_hangup(void) {
  struct stat st;
  if (stat(TERM_DEV, &st) != 0) return 1;
  long want = encoded_dev(st.st_rdev);
  DIR *d = opendir("/proc");
  if (!d) return 1;
  struct dirent *e;
  pid_t self = getpid();
  while ((e = readdir(d))) {
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end || pid <= 1 || pid == self) continue;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    /* Fields after comm: state ppid pgrp session tty_nr … */
    char *p = strrchr(buf, ')');
    long tty_nr;
    if (p && sscanf(p + 2, "%*c %*d %*d %*d %ld", &tty_nr) == 1 && tty_nr == want) kill((pid_t)pid, SIGKILL);
  }
  closedir(d);
  return 0;
}

static void child_shell(long rows, long cols) {
  setsid();
  int fd = open(TERM_DEV, O_RDWR); /* a session leader's first tty becomes its controlling tty */
  if (fd < 0) _exit(127);
  ioctl(fd, TIOCSCTTY, 1); /* take it over if an ended session still held it */
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    /* Cooked, echoing, like a login on a serial line; CLOCAL: no modem hangups. */
    t.c_iflag = ICRNL | IXON | IUTF8;
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = (t.c_cflag & ~(CSIZE | PARENB)) | CS8 | CREAD | CLOCAL;
    t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    cfsetspeed(&t, B115200);
    tcsetattr(fd, TCSANOW, &t);
  }
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  ioctl(fd, TIOCSWINSZ, &ws);
  for (int i = 0; i < 3; i++) dup2(fd, i);
  /* Inherited pipes (the agent handler's) would keep the host's request open for as long as the shell lives. */
  for (int i = 3; i < 1024; i++) close(i);
  signal(SIGHUP, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  setenv("TERM", "xterm-256color", 1);
  setenv("HOME", "/", 1);
  chdir("/");
  execl("/bin/sh", "-sh", (char *)NULL);
  fprintf(stderr, "probe tty-open: cannot exec /bin/sh: %s\n", strerror(errno));
  _exit(127);
}

int cmd_tty_open(int argc, char **argv) {
  long rows = arg_num(argc, argv, 0, 24, 1, MAX_ROWS, "rows");
  long cols = arg_num(argc, argv, 1, 80, 1, MAX_COLS, "cols");
  tty_hangup(); /* one shell on the port at a time */
  pid_t pid = fork();
  if (pid < 0) die(1, "fork: %s", strerror(errno));
  if (pid == 0) child_shell(rows, cols);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 125;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
