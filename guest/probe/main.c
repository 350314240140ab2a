/* Command dispatch, shared helpers, and the commands that only report. */
#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first number of /proc/uptime (CLOCK_BOOTTIME, to the hundredth),
 * read from the vDSO and formatted by hand: a restored clone's TCG translates
 * every code path afresh, and its first ping would otherwise pay for the
 * open, read and close of a procfs file and for printf. */
void read_uptime(char *buf, size_t len) {
  struct timespec ts;
  if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) ts.tv_sec = 0, ts.tv_nsec = 0;
  char rev[24];
  size_t n = 0;
  unsigned long long sec = (unsigned long long)ts.tv_sec;
  do rev[n++] = (char)('0' + sec % 10); while ((sec /= 10) && n < sizeof rev);
  long hundredths = ts.tv_nsec / 10000000L;
  if (len < n + 4) {
    if (len) buf[0] = 0;
    return;
  }
  size_t at = 0;
  while (n) buf[at++] = rev[--n];
  buf[at++] = '.';
  buf[at++] = (char)('0' + hundredths / 10);
  buf[at++] = (char)('0' + hundredths % 10);
  buf[at] = 0;
}

size_t ready_line(char *buf, size_t len) {
  char up[64];
  const char *init = getenv("ISOLAB_INIT_UPTIME");
  read_uptime(up, sizeof up);
  int n = init && *init ? snprintf(buf, len, "READY uptime=%s init_uptime=%s\n", up, init)
                        : snprintf(buf, len, "READY uptime=%s\n", up);
  return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p == '\n') fputs("\\n", f);
    /* Bytes >= 0x7f are escaped too: comm names are not guaranteed UTF-8,
     * and the host must always get valid JSON. */
    else if (*p < 0x20 || *p >= 0x7f) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

void die(int code, const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fputs("probe: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(code);
}

const char *arg_str(int argc, char **argv, int i, const char *def) {
  if (i >= argc || !argv[i][0]) return def;
  const char *eq = strchr(argv[i], '=');
  return eq ? eq + 1 : argv[i];
}

long arg_num(int argc, char **argv, int i, long def, long min, long max, const char *name) {
  const char *s = arg_str(argc, argv, i, NULL);
  if (!s) return def;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max)
    die(2, "%s must be an integer in [%ld, %ld], got \"%s\"", name, min, max, s);
  return v;
}

static volatile sig_atomic_t stop_requested;
static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_child(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
  errno = saved;
}

/* As pid 1 of a container, signals without a handler are ignored, so
 * SIGTERM needs an explicit handler for `runc kill` to stop us. We also reap
 * orphans re-parented to us. */
static int cmd_serve(void) {
  struct sigaction sa = {0};
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &old);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);

  char line[192];
  /* write(2), not stdio: the host's clock stops when this line arrives. */
  if (write(STDOUT_FILENO, line, ready_line(line, sizeof line)) < 0) return 1;
  while (!stop_requested) sigsuspend(&old);
  return 0;
}

static int cmd_ping(void) {
  char up[64];
  read_uptime(up, sizeof up);
  printf("{\"pong\":true,\"uptime\":%s}\n", up);
  return 0;
}

static void usage(void) {
  fputs("usage: probe serve | agent DEV | ping | info | cpu [ms] | mem MiB [stepMiB] [pauseMs] [holdMs]\n"
        "             | syscall [n] | stream [MiB] | io [MiB] [dir] | latency ms intervalMs\n"
        "             | tty-open rows cols (in a VM, through the agent)\n",
        stderr);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage();
    return 2;
  }
  /* Progress lines must reach a pipe as they happen, not at exit. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *c = argv[1];
  int ac = argc - 2;
  char **av = argv + 2;
  if (!strcmp(c, "serve")) return cmd_serve();
  if (!strcmp(c, "agent")) return cmd_agent(ac, av);
  if (!strcmp(c, "ping")) return cmd_ping();
  if (!strcmp(c, "info")) return cmd_info(ac, av);
  if (!strcmp(c, "hostile")) return cmd_hostile(ac, av);
  if (!strcmp(c, "euid")) return cmd_euid();
  if (!strcmp(c, "cpu")) return cmd_cpu(ac, av);
  if (!strcmp(c, "mem")) return cmd_mem(ac, av);
  if (!strcmp(c, "syscall")) return cmd_syscall(ac, av);
  if (!strcmp(c, "stream")) return cmd_stream(ac, av);
  if (!strcmp(c, "io")) return cmd_io(ac, av);
  if (!strcmp(c, "latency")) return cmd_latency(ac, av);
  if (!strcmp(c, "tty-open")) return cmd_tty_open(ac, av);
  fprintf(stderr, "probe: unknown command \"%s\"\n", c);
  usage();
  return 2;
}
