/* The probe: one static binary that reports readiness and runs the same
 * benchmark workloads in a process, a container and a VM. See ../README.md. */
#ifndef PROBE_H
#define PROBE_H

#include <stdio.h>

/* Monotonic seconds, for measuring. */
double now_s(void);
/* First field of /proc/uptime as the kernel wrote it ("12.34"), or "0". */
void read_uptime(char *buf, size_t len);
/* "READY uptime=<s> [init_uptime=<s>]\n" into buf; returns its length. */
size_t ready_line(char *buf, size_t len);
/* Writes s as a JSON string literal (with quotes) to f. */
void json_str(FILE *f, const char *s);
/* Numeric argument i of argv (after the command), or def when absent.
 * Accepts "123" and "name=123" so the README's spelling also works. */
long arg_num(int argc, char **argv, int i, long def, long min, long max, const char *name);
const char *arg_str(int argc, char **argv, int i, const char *def);
/* Prints "probe: <msg>" to stderr and exits with code 2 (bad usage) or 1. */
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

int cmd_cpu(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_syscall(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_io(int argc, char **argv);
int cmd_latency(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_hostile(int argc, char **argv);
int cmd_euid(void);

#endif
