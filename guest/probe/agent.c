/* `agent DEV`: the VM's command channel (protocol in ../README.md).
 * If the agent dies the VM can no longer be driven, so it never exits on bad
 * input: malformed lines are dropped and every request runs in its own
 * forked handler, which runs the command as a fresh probe process — except
 * the few built-ins below, answered in place. */
#define _GNU_SOURCE
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* <linux/random.h>'s, which musl's headers do not carry. */
#ifndef RNDRESEEDCRNG
#define RNDRESEEDCRNG _IO('R', 0x07)
#endif

#define MAX_ARGS 32

/* Returns 0 once all of buf is written, -1 if the device refuses. */
static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* One write(2) per framed line: the tty serialises whole writes, so lines of
 * concurrent requests interleave but never mix. A short line (every
 * built-in's) is framed on the stack: musl's malloc maps and unmaps memory
 * for it, kernel work a restored clone's TCG would translate afresh. */
static void send_framed(int tty, const char *id, char sep, const char *body, size_t len) {
  size_t idlen = strlen(id);
  char small[512];
  char *out = idlen + len + 2 <= sizeof small ? small : malloc(idlen + len + 2);
  if (!out) return;
  memcpy(out, id, idlen);
  out[idlen] = sep;
  memcpy(out + idlen + 1, body, len);
  out[idlen + 1 + len] = '\n';
  write_all(tty, out, idlen + len + 2);
  if (out != small) free(out);
}

/* Our own path, resolved once: exec'ing "/proc/self/exe" itself would name
 * every worker "exe" in the guest's process list. */
static char self_path[4096] = "/bin/probe";

static void exec_probe(int out, char **args) {
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0) dup2(null, STDIN_FILENO);
  dup2(out, STDOUT_FILENO);
  dup2(out, STDERR_FILENO); /* the host sees why a command failed */
  signal(SIGPIPE, SIG_DFL); /* ignored dispositions survive exec */
  signal(SIGHUP, SIG_DFL);
  execv(self_path, args);
  execv("/proc/self/exe", args);
  fprintf(stderr, "probe: cannot exec: %s\n", strerror(errno));
  _exit(127);
}

/* Runs in the forked handler: relays the command's output, then its code. */
static void handle_request(int tty, const char *id, char **args) {
  signal(SIGCHLD, SIG_DFL);
  int p[2];
  if (pipe(p) != 0) {
    send_framed(tty, id, '#', "125", 3);
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    exec_probe(p[1], args);
  }
  close(p[1]);
  /* getline grows its buffer, so a long `info` line stays one framed line. */
  FILE *in = fdopen(p[0], "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while (in && (n = getline(&line, &cap, in)) > 0) {
    if (line[n - 1] == '\n') n--;
    send_framed(tty, id, '|', line, (size_t)n);
  }
  free(line);
  if (in) fclose(in);
  else close(p[0]); /* the worker gets EPIPE rather than blocking forever */
  int status, code = 125, r = -1;
  while (pid > 0 && (r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {}
  if (r > 0) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  char c[16];
  int clen = snprintf(c, sizeof c, "%d", code);
  send_framed(tty, id, '#', c, (size_t)clen);
}

/* A hex digit's value, or -1 (the reseed's parser: no sscanf on a clone's
 * first request, whose code its TCG would translate afresh). */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads the clocksource the kernel keeps time with into buf (NUL-terminated,
 * newline dropped); an empty string when sysfs cannot be read. */
static void current_clocksource(char *buf, size_t size) {
  buf[0] = 0;
  int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  buf[strcspn(buf, "\n")] = 0;
}

/* `settle MS`: waits, at most MS ms, until the kernel has done the work it
 * defers past boot. A template is saved right after its boot
 * (server/vm/vm-templates.ts), and work still pending then runs in every
 * clone, where TCG translates it afresh: the TSC's refined calibration, due
 * a second after its initcall, swaps the clocksource from tsc-early to tsc
 * under stop_machine and logs it — measured, about 0.4 MiB of translated
 * code in each clone. Answers the clocksource and the time waited. */
static void settle(int tty, const char *id, const char *ms_arg) {
  long limit = 0;
  for (const char *c = ms_arg; *c >= '0' && *c <= '9' && limit < 60000; c++) limit = limit * 10 + (*c - '0');
  char cs[64];
  long waited = 0;
  const struct timespec step = {0, 20 * 1000 * 1000};
  for (current_clocksource(cs, sizeof cs); !strcmp(cs, "tsc-early") && waited < limit; current_clocksource(cs, sizeof cs)) {
    nanosleep(&step, NULL);
    waited += 20;
  }
  char body[160];
  int len = snprintf(body, sizeof body, "{\"clocksource\":\"%.60s\",\"waitedMs\":%ld}", cs, waited);
  send_framed(tty, id, '|', body, (size_t)len);
  send_framed(tty, id, '#', strcmp(cs, "tsc-early") ? "0" : "1", 1);
}

/* Built-ins, answered by the agent itself without a fork. A VM restored from
 * a snapshot (server/vm/snapshot-restore.ts) runs every guest code path for
 * the first time in an empty TCG translation cache, where fork + exec of a
 * probe costs tens of milliseconds; its host waits for `ping` to call it
 * ready, then gives the clone its own name and a fresh random seed.
 * Returns 1 when the request was one of them. */
static int builtin(int tty, const char *id, char **args, int n) {
  if (n == 2 && !strcmp(args[1], "ping")) {
    /* No printf (read_uptime): a clone's first ping is its readiness. */
    char body[96] = "{\"pong\":true,\"uptime\":";
    size_t len = strlen(body);
    read_uptime(body + len, sizeof body - len - 1);
    len += strlen(body + len);
    body[len++] = '}';
    send_framed(tty, id, '|', body, len);
    send_framed(tty, id, '#', "0", 1);
    return 1;
  }
  if (n == 3 && !strcmp(args[1], "sethostname")) {
    int ok = sethostname(args[2], strlen(args[2])) == 0;
    send_framed(tty, id, '#', ok ? "0" : "1", 1);
    return 1;
  }
  if (n == 3 && !strcmp(args[1], "reseed")) {
    /* Hex bytes mixed into the pool (not credited): clones of one snapshot
     * would otherwise draw the same random numbers. */
    unsigned char seed[64];
    size_t len = 0;
    for (const char *h = args[2]; len < sizeof seed; h += 2) {
      int hi = hexval(h[0]), lo = hi < 0 ? -1 : hexval(h[1]);
      if (lo < 0) break;
      seed[len++] = (unsigned char)(hi << 4 | lo);
    }
    /* Opened once and kept: a clone's first reseed then walks no path (its
     * template opened it), kernel code its TCG would translate afresh. */
    static int fd = -1;
    if (fd < 0) fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
    int ok = fd >= 0 && len > 0 && write_all(fd, (const char *)seed, len) == 0;
    /* A write only mixes into the input pool; the CRNG would keep the
     * template's key until its next scheduled reseed (up to a minute), so
     * every clone would still draw the same numbers. Reseed it now. */
    if (ok) ok = ioctl(fd, RNDRESEEDCRNG) == 0;
    send_framed(tty, id, '#', ok ? "0" : "1", 1);
    return 1;
  }
  if (n == 3 && !strcmp(args[1], "settle")) {
    settle(tty, id, args[2]);
    return 1;
  }
  if (n == 4 && !strcmp(args[1], "tty-resize")) {
    int rc = tty_resize(args[2], args[3]);
    send_framed(tty, id, '#', rc == 0 ? "0" : rc == 2 ? "2" : "1", 1);
    return 1;
  }
  if (n == 2 && !strcmp(args[1], "tty-hangup")) {
    send_framed(tty, id, '#', tty_hangup() == 0 ? "0" : "1", 1);
    return 1;
  }
  return 0;
}

/* "<id> <command> [args...]"; anything else is ignored. */
static void dispatch(int tty, char *line) {
  line[strcspn(line, "\r")] = 0;
  char *args[MAX_ARGS + 2], *save = NULL;
  char *id = strtok_r(line, " \t", &save);
  if (!id || strlen(id) > 18) return;
  for (const char *s = id; *s; s++)
    if (!isdigit((unsigned char)*s)) return;
  int n = 0;
  args[n++] = "probe";
  char *tok;
  while (n <= MAX_ARGS && (tok = strtok_r(NULL, " \t", &save))) args[n++] = tok;
  args[n] = NULL;
  if (n < 2 || builtin(tty, id, args, n)) return;
  pid_t pid = fork();
  if (pid < 0) {
    send_framed(tty, id, '#', "125", 3);
    return;
  }
  if (pid > 0) return;
  /* A nested agent or serve would hold the request (and the port) forever. */
  if (!strcmp(args[1], "agent") || !strcmp(args[1], "serve")) {
    const char *msg = "probe: not allowed through the agent";
    send_framed(tty, id, '|', msg, strlen(msg));
    send_framed(tty, id, '#', "2", 1);
  } else {
    handle_request(tty, id, args);
  }
  _exit(0);
}

static void reap(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
  errno = saved;
}

static int open_port(const char *dev) {
  for (int tries = 0;; tries++) {
    int fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) {
      struct termios t;
      if (tcgetattr(fd, &t) == 0) { /* not a tty (tests use a pipe/pty): as is */
        cfmakeraw(&t);
        /* CLOCAL: a host disconnect must not hang up the port. */
        t.c_cflag |= CLOCAL | CREAD;
        cfsetspeed(&t, B115200);
        tcsetattr(fd, TCSANOW, &t);
      }
      return fd;
    }
    if (tries == 0) fprintf(stderr, "probe agent: cannot open %s: %s; retrying\n", dev, strerror(errno));
    usleep(200000);
  }
}

int cmd_agent(int argc, char **argv) {
  if (argc < 1) die(2, "usage: probe agent DEV");
  const char *dev = argv[0];
  ssize_t sl = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (sl > 0) self_path[sl] = 0;
  struct sigaction sa = {0};
  sa.sa_handler = reap;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);

  int tty = open_port(dev);
  char ready[192];
  write_all(tty, ready, ready_line(ready, sizeof ready));
  fprintf(stderr, "probe agent: serving on %s\n", dev);

  static char buf[8192];
  size_t len = 0;
  int skipping = 0; /* inside an over-long line, dropped up to its newline */
  for (;;) {
    ssize_t n = read(tty, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { /* hung up or gone: reopen rather than exit */
      close(tty);
      usleep(100000);
      tty = open_port(dev);
      continue;
    }
    len += (size_t)n;
    buf[len] = 0;
    char *start = buf, *nl;
    while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
      *nl = 0;
      if (!skipping) dispatch(tty, start);
      skipping = 0;
      start = nl + 1;
    }
    len -= (size_t)(start - buf);
    memmove(buf, start, len);
    if (len == sizeof buf - 1) skipping = 1, len = 0;
  }
}
