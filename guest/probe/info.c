/* `info`: what the workload sees from inside its kind — the guest view. */
#define _GNU_SOURCE
#include "probe.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The kB value of "key:" in a /proc file of "Key:   123 kB" lines; -1 when the
 * file cannot be read or has no such line. */
static long proc_kib(const char *path, const char *key) {
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  char line[256];
  size_t klen = strlen(key);
  long v = -1;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, key, klen) && line[klen] == ':') {
      v = strtol(line + klen + 1, NULL, 10);
      break;
    }
  }
  fclose(f);
  return v;
}

static long meminfo_kib(const char *key) {
  long v = proc_kib("/proc/meminfo", key);
  return v < 0 ? 0 : v;
}

/* The probe's own memory, as its kernel counts it: resident (VmRSS) and
 * proportional (Pss: shared pages divided among their sharers). A field is
 * left out when its file is unreadable (no /proc, a kernel before 4.14). */
static void print_self_memory(FILE *f) {
  long rss = proc_kib("/proc/self/status", "VmRSS");
  long pss = proc_kib("/proc/self/smaps_rollup", "Pss");
  if (rss >= 0) fprintf(f, ",\"selfRssBytes\":%ld", rss * 1024);
  if (pss >= 0) fprintf(f, ",\"selfPssBytes\":%ld", pss * 1024);
}

/* The value of "Key:\t<value>" in /proc/self/status, trimmed; 0 when absent. */
static int status_field(const char *key, char *out, size_t len) {
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) return 0;
  char line[256];
  size_t klen = strlen(key);
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, klen) || line[klen] != ':') continue;
    char *v = line + klen + 1;
    v += strspn(v, " \t");
    v[strcspn(v, "\n")] = 0;
    snprintf(out, len, "%s", v);
    found = 1;
    break;
  }
  fclose(f);
  return found;
}

/* First line of /proc/self/{uid,gid}_map with its columns single-spaced. */
static int id_map(const char *path, char *out, size_t len) {
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  long a, b, c;
  int ok = fscanf(f, "%ld %ld %ld", &a, &b, &c) == 3;
  fclose(f);
  if (ok) snprintf(out, len, "%ld %ld %ld", a, b, c);
  return ok;
}

/* What confines the probe where it runs: user-namespace maps, seccomp mode,
 * capability masks (hex, as the kernel prints them), no_new_privs. Each
 * field is left out when its kernel does not say. */
static void print_confinement(FILE *f) {
  char v[128];
  int first = 1;
  fputs(",\"confinement\":{", f);
#define FIELD(name) fprintf(f, "%s\"" name "\":", first ? "" : ","), first = 0
  if (id_map("/proc/self/uid_map", v, sizeof v)) FIELD("uidMap"), json_str(f, v);
  if (id_map("/proc/self/gid_map", v, sizeof v)) FIELD("gidMap"), json_str(f, v);
  if (status_field("Uid", v, sizeof v)) FIELD("uid"), fprintf(f, "%ld", strtol(v, NULL, 10));
  if (status_field("Seccomp", v, sizeof v)) FIELD("seccomp"), fprintf(f, "%ld", strtol(v, NULL, 10));
  if (status_field("CapEff", v, sizeof v)) FIELD("capEff"), json_str(f, v);
  if (status_field("CapBnd", v, sizeof v)) FIELD("capBnd"), json_str(f, v);
  if (status_field("NoNewPrivs", v, sizeof v)) FIELD("noNewPrivs"), fprintf(f, "%ld", strtol(v, NULL, 10));
#undef FIELD
  fputc('}', f);
}

/* The first line of a small file, without its newline; "" when unreadable. */
static const char *first_line(const char *path, char *buf, size_t len) {
  buf[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return buf;
  if (!fgets(buf, (int)len, f)) buf[0] = 0;
  fclose(f);
  buf[strcspn(buf, "\n")] = 0;
  return buf;
}

static int all_digits(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s)) return 0;
  return 1;
}

/* Prints the array of {pid, comm}; returns how many. */
static int print_processes(FILE *f) {
  DIR *d = opendir("/proc");
  int count = 0;
  fputc('[', f);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!all_digits(e->d_name)) continue;
      char path[300], comm[64] = "";
      snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue; /* exited while we listed */
      ssize_t n = read(fd, comm, sizeof comm - 1);
      close(fd);
      comm[n > 0 ? n : 0] = 0;
      comm[strcspn(comm, "\n")] = 0;
      fprintf(f, "%s{\"pid\":%s,\"comm\":", count ? "," : "", e->d_name);
      json_str(f, comm);
      fputc('}', f);
      count++;
    }
    closedir(d);
  }
  fputc(']', f);
  return count;
}

/* /sys/class/net when sysfs is mounted, else /proc/net/dev. */
static void print_interfaces(FILE *f) {
  int first = 1;
  fputc('[', f);
  DIR *d = opendir("/sys/class/net");
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      fputs(first ? "" : ",", f);
      json_str(f, e->d_name);
      first = 0;
    }
    closedir(d);
  } else {
    FILE *p = fopen("/proc/net/dev", "re");
    char line[512];
    while (p && fgets(line, sizeof line, p)) {
      char *colon = strchr(line, ':');
      if (!colon) continue; /* the two header lines */
      *colon = 0;
      char *name = line + strspn(line, " ");
      fputs(first ? "" : ",", f);
      json_str(f, name);
      first = 0;
    }
    if (p) fclose(p);
  }
  fputc(']', f);
}

int cmd_info(int argc, char **argv) {
  (void)argc;
  (void)argv;
  struct utsname u;
  if (uname(&u) != 0) die(1, "uname failed");
  char up[64];
  read_uptime(up, sizeof up);

  /* Build the process list first so processCount can precede it. */
  char *procs = NULL;
  size_t plen = 0;
  FILE *pf = open_memstream(&procs, &plen);
  if (!pf) die(1, "out of memory");
  int count = print_processes(pf);
  fclose(pf);

  char idbuf[64], uuidbuf[64];
  fputs("{\"hostname\":", stdout);
  json_str(stdout, u.nodename);
  fputs(",\"kernelRelease\":", stdout);
  json_str(stdout, u.release);
  fputs(",\"kernelVersion\":", stdout);
  json_str(stdout, u.version);
  printf(",\"pid\":%d,\"uptimeSeconds\":%s,\"processCount\":%d,\"processes\":%s", (int)getpid(), up,
         count, procs);
  /* Identity a clone must not share with its template's other clones (boot_id
   * it does share: it is fixed at boot; uuid is drawn from the RNG now). */
  fputs(",\"bootId\":", stdout);
  json_str(stdout, first_line("/proc/sys/kernel/random/boot_id", idbuf, sizeof idbuf));
  fputs(",\"randomUuid\":", stdout);
  json_str(stdout, first_line("/proc/sys/kernel/random/uuid", uuidbuf, sizeof uuidbuf));
  printf(",\"memTotalKiB\":%ld,\"memAvailableKiB\":%ld,\"cpus\":%ld,\"interfaces\":",
         meminfo_kib("MemTotal"), meminfo_kib("MemAvailable"), sysconf(_SC_NPROCESSORS_ONLN));
  print_interfaces(stdout);
  print_confinement(stdout);
  /* Last, after the process list and its buffer: what the app costs as it answers. */
  print_self_memory(stdout);
  fputs("}\n", stdout);
  free(procs);
  return 0;
}
