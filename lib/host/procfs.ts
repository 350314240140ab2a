import { z } from "zod";

// Pure parsers for the /proc files Isolab reads: per process
// (/proc/<pid>/stat, smaps_rollup — the host view of the bare probe or QEMU
// with all its threads) and host-wide (meminfo, stat).

/** USER_HZ: the unit of /proc/<pid>/stat and /proc/stat times. 100 on every Linux ABI Isolab runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  /** User and system CPU of every thread of the process, in clock ticks. */
  utimeTicks: number;
  stimeTicks: number;
  numThreads: number;
  /** Start time after boot in clock ticks: with the pid, names a process uniquely. */
  startTicks: number;
  rssPages: number;
}

/** Fields after `comm` are space-separated; comm itself may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error("not a /proc/<pid>/stat line");
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field k is rest[k - 3].
  const field = (k: number) => {
    const v = Number(rest[k - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat field ${k} is not a number`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0],
    utimeTicks: field(14),
    stimeTicks: field(15),
    numThreads: field(20),
    startTicks: field(22),
    rssPages: field(24),
  };
}

export interface SmapsRollup {
  rssBytes: number;
  pssBytes: number;
  /**
   * The part of the PSS in shared memory (tmpfs, shmem): for a templated VM its
   * share of the template's RAM file. Absent on kernels before 5.7, which do not split PSS.
   */
  pssShmemBytes?: number;
}

export function parseSmapsRollup(text: string): SmapsRollup {
  const kib = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    if (!m) throw new Error(`smaps_rollup has no ${key} line`);
    return Number(m[1]) * 1024;
  };
  const shmem = /^Pss_Shmem:\s+(\d+) kB/m.exec(text);
  return { rssBytes: kib("Rss"), pssBytes: kib("Pss"), ...(shmem ? { pssShmemBytes: Number(shmem[1]) * 1024 } : {}) };
}

/** CPU used between two readings as % of one core (100 = one core busy the whole time). */
export function cpuPercent(prevCpuNs: number, nextCpuNs: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) return NaN;
  return (Math.max(0, nextCpuNs - prevCpuNs) / 1e6 / elapsedMs) * 100;
}

const count = z.number().int().nonnegative();

/** CPU time of a process (all its threads) in nanoseconds. */
export function procCpuNs(stat: { utimeTicks: number; stimeTicks: number }): number {
  return ((stat.utimeTicks + stat.stimeTicks) * 1e9) / CLOCK_TICKS_PER_SECOND;
}

/** "Key:   123 kB" lines (smaps_rollup, meminfo, status) to bytes; lines without kB are plain numbers. */
export function parseKbLines(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_()0-9]+):\s+(\d+)(\s+kB)?\s*$/.exec(line.trim());
    if (m) out[m[1]] = m[3] ? Number(m[2]) * 1024 : Number(m[2]);
  }
  return out;
}

export const ProcMeminfoSchema = z.object({ MemTotal: count, MemAvailable: count, MemFree: count });
/** /proc/meminfo, in bytes. */
export type ProcMeminfo = z.infer<typeof ProcMeminfoSchema>;

export function parseMeminfo(text: string): ProcMeminfo {
  return ProcMeminfoSchema.parse(parseKbLines(text));
}

/** The aggregate "cpu" line of /proc/stat, in clock ticks. */
export interface ProcStatCpu {
  totalTicks: number;
  /** idle + iowait: time no task wanted the CPU. */
  idleTicks: number;
}

export function parseProcStatCpu(text: string): ProcStatCpu {
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error("/proc/stat has no aggregate cpu line");
  // user nice system idle iowait irq softirq steal; guest and guest_nice are already inside user and nice.
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) throw new Error(`malformed /proc/stat cpu line: ${line}`);
  return { totalTicks: v.reduce((a, b) => a + b, 0), idleTicks: v[3] + (v[4] ?? 0) };
}

/**
 * The kernel's own memory in /proc/meminfo, in bytes: what a container costs
 * the host beyond its cgroup (namespaces, page tables, cgroup structures,
 * dentries and inodes of its root) shows up here. A field the kernel does not
 * report (Percpu before Linux 4.0) reads 0.
 */
export interface KernelMemory {
  slabBytes: number;
  sReclaimableBytes: number;
  sUnreclaimBytes: number;
  pageTablesBytes: number;
  kernelStackBytes: number;
  percpuBytes: number;
}

export function parseKernelMemory(meminfo: string): KernelMemory {
  const kb = parseKbLines(meminfo);
  if (kb.Slab === undefined) throw new Error("/proc/meminfo has no Slab line");
  return {
    slabBytes: kb.Slab,
    sReclaimableBytes: kb.SReclaimable ?? 0,
    sUnreclaimBytes: kb.SUnreclaim ?? 0,
    pageTablesBytes: kb.PageTables ?? 0,
    kernelStackBytes: kb.KernelStack ?? 0,
    percpuBytes: kb.Percpu ?? 0,
  };
}

/** Slab + PageTables + KernelStack + Percpu: the kernel structures one more instance adds. */
export function kernelStructuresBytes(k: KernelMemory): number {
  return k.slabBytes + k.pageTablesBytes + k.kernelStackBytes + k.percpuBytes;
}

/** The 4th field of /proc/loadavg, "running/total": the host's kernel scheduling entities (threads) now. */
export function parseLoadavgThreads(text: string): number {
  const m = /^\S+\s+\S+\s+\S+\s+\d+\/(\d+)\s/.exec(text.trim() + " ");
  if (!m) throw new Error(`not a /proc/loadavg line: ${text.trim()}`);
  return Number(m[1]);
}
