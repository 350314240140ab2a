/* The benchmark workloads. Each does fixed, simple work so that the only
 * thing that differs between kinds is the kind itself. */
#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024L * 1024L)
/* Runs one stream kernel and keeps its best time. The empty asm tells the
 * compiler the arrays are observed, so it cannot drop the timed loop. */
#define TIMED(best, loop)                                                 \
  do {                                                                    \
    double t0_ = now_s();                                                 \
    loop;                                                                 \
    __asm__ volatile("" : : "r"(a), "r"(b), "r"(c) : "memory");           \
    double t_ = elapsed(t0_);                                             \
    if (t_ < (best)) (best) = t_;                                         \
  } while (0)

/* Guards against a zero elapsed time producing inf/NaN, which is not JSON. */
static double elapsed(double t0) {
  double t = now_s() - t0;
  return t > 1e-9 ? t : 1e-9;
}

int cmd_cpu(int argc, char **argv) {
  long ms = arg_num(argc, argv, 0, 1000, 1, 600000, "ms");
  volatile uint64_t sink = 0;
  uint64_t x = 88172645463325252ULL, ops = 0;
  double t0 = now_s(), limit = (double)ms / 1000.0;
  /* xorshift64 rounds in blocks; the clock is read between blocks only. */
  while (now_s() - t0 < limit) {
    for (int i = 0; i < 100000; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    sink = x;
    ops += 100000;
  }
  (void)sink;
  double s = elapsed(t0);
  printf("{\"workload\":\"cpu\",\"ops\":%llu,\"seconds\":%.6f,\"opsPerSec\":%.0f}\n",
         (unsigned long long)ops, s, (double)ops / s);
  return 0;
}

static void sleep_ms(long ms) {
  struct timespec req = {ms / 1000, (ms % 1000) * 1000000L};
  while (ms > 0 && nanosleep(&req, &req) != 0 && errno == EINTR) {}
}

int cmd_mem(int argc, char **argv) {
  if (argc < 1) die(2, "usage: probe mem MiB [stepMiB] [pauseMs] [holdMs]");
  long total = arg_num(argc, argv, 0, 0, 1, 1L << 20, "MiB");
  long step = arg_num(argc, argv, 1, 8, 1, 1L << 20, "stepMiB");
  /* Pacing, so a host sampling once or a few times a second sees the climb,
   * and a hold at the top, so it sees what the held memory costs. */
  long pause = arg_num(argc, argv, 2, 0, 0, 60000, "pauseMs");
  long hold = arg_num(argc, argv, 3, 0, 0, 600000, "holdMs");
  long done = 0;
  double t0 = now_s();
  /* Kept mapped until exit: the point is to hold the memory. A progress line
   * per step shows how far we got if the OOM killer ends us. */
  while (done < total) {
    long n = total - done < step ? total - done : step;
    char *p = mmap(NULL, (size_t)(n * MiB), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die(1, "mem: mmap of %ld MiB failed after %ld MiB: %s", n, done, strerror(errno));
    for (long off = 0; off < n * MiB; off += 4096) p[off] = (char)(off | 1);
    done += n;
    printf("{\"progress\":true,\"touchedMiB\":%ld,\"seconds\":%.6f}\n", done, now_s() - t0);
    if (done < total) sleep_ms(pause);
  }
  double s = elapsed(t0); /* the allocation, without the hold */
  sleep_ms(hold);
  printf("{\"workload\":\"mem\",\"touchedMiB\":%ld,\"seconds\":%.6f}\n", done, s);
  return 0;
}

int cmd_syscall(int argc, char **argv) {
  long n = arg_num(argc, argv, 0, 200000, 1, 1000000000L, "n");
  double t0 = now_s();
  /* syscall(2) directly: a libc may cache or vDSO some calls; getppid never
   * is, but this makes sure each iteration enters the kernel. */
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  double s = elapsed(t0);
  printf("{\"workload\":\"syscall\",\"calls\":%ld,\"nsPerCall\":%.1f}\n", n, s * 1e9 / (double)n);
  return 0;
}

int cmd_stream(int argc, char **argv) {
  long mib = arg_num(argc, argv, 0, 64, 3, 1L << 16, "MiB");
  size_t n = (size_t)(mib * MiB / 3 / (long)sizeof(double)); /* MiB covers all three arrays */
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
  if (!a || !b || !c) die(1, "stream: cannot allocate %ld MiB", mib);
  for (size_t i = 0; i < n; i++) a[i] = 1.0, b[i] = 2.0, c[i] = 0.0;
  const double k = 3.0;
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  /* Best of 3, as STREAM reports, to skip first-touch and scheduling noise. */
  for (int rep = 0; rep < 3; rep++) {
    TIMED(best[0], for (size_t i = 0; i < n; i++) c[i] = a[i]);
    TIMED(best[1], for (size_t i = 0; i < n; i++) b[i] = k * c[i]);
    TIMED(best[2], for (size_t i = 0; i < n; i++) c[i] = a[i] + b[i]);
    TIMED(best[3], for (size_t i = 0; i < n; i++) a[i] = b[i] + k * c[i]);
  }
  double bytes2 = 2.0 * (double)(n * sizeof(double)) / 1e6, bytes3 = bytes2 * 1.5;
  printf("{\"workload\":\"stream\",\"copyMBps\":%.1f,\"scaleMBps\":%.1f,\"addMBps\":%.1f,\"triadMBps\":%.1f}\n",
         bytes2 / best[0], bytes2 / best[1], bytes3 / best[2], bytes3 / best[3]);
  free(a), free(b), free(c);
  return 0;
}

int cmd_io(int argc, char **argv) {
  long mib = arg_num(argc, argv, 0, 16, 1, 1L << 16, "MiB");
  const char *dir = arg_str(argc, argv, 1, "/tmp");
  char path[4096];
  snprintf(path, sizeof path, "%s/probe-io-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0) die(1, "io: cannot create a file in %s: %s", dir, strerror(errno));
  unlink(path); /* nothing is left behind, even if we are killed */
  char *buf = malloc(MiB);
  if (!buf) die(1, "io: out of memory");
  memset(buf, 0xa5, MiB);
  double t0 = now_s();
  for (long i = 0; i < mib; i++)
    if (write(fd, buf, MiB) != MiB) die(1, "io: write failed: %s", strerror(errno));
  if (fsync(fd) != 0 && errno != EINVAL) die(1, "io: fsync failed: %s", strerror(errno));
  double ws = elapsed(t0);
  lseek(fd, 0, SEEK_SET);
  t0 = now_s();
  for (long i = 0; i < mib; i++)
    if (read(fd, buf, MiB) != MiB) die(1, "io: read failed: %s", strerror(errno));
  double rs = elapsed(t0);
  close(fd);
  free(buf);
  printf("{\"workload\":\"io\",\"writeMBps\":%.1f,\"readMBps\":%.1f}\n",
         (double)mib * MiB / 1e6 / ws, (double)mib * MiB / 1e6 / rs);
  return 0;
}

static int cmp_long(const void *x, const void *y) {
  long a = *(const long *)x, b = *(const long *)y;
  return (a > b) - (a < b);
}

int cmd_latency(int argc, char **argv) {
  long ms = arg_num(argc, argv, 0, 1000, 1, 3600000, "ms");
  long interval = arg_num(argc, argv, 1, 10, 1, 60000, "intervalMs");
  long cap = ms / interval + 1, n = 0;
  long *over = malloc((size_t)cap * sizeof *over);
  if (!over) die(1, "latency: out of memory");
  double end = now_s() + (double)ms / 1000.0;
  struct timespec req = {interval / 1000, (interval % 1000) * 1000000L};
  while (n < cap && now_s() < end) {
    double t = now_s();
    while (nanosleep(&req, NULL) != 0 && errno == EINTR) {}
    long us = (long)((now_s() - t) * 1e6) - interval * 1000;
    over[n] = us < 0 ? 0 : us;
    printf("{\"progress\":true,\"tick\":%ld,\"oversleepUs\":%ld}\n", n, over[n]);
    n++;
  }
  qsort(over, (size_t)n, sizeof *over, cmp_long);
  long p50 = n ? over[(n - 1) / 2] : 0, p99 = n ? over[(n * 99 - 1) / 100] : 0;
  printf("{\"workload\":\"latency\",\"samples\":%ld,\"p50Us\":%ld,\"p99Us\":%ld,\"maxUs\":%ld}\n", n, p50,
         p99, n ? over[n - 1] : 0);
  free(over);
  return 0;
}
