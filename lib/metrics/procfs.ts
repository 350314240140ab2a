import { z } from "zod";

// Pure parsers for the host-wide /proc files the sampler reads (meminfo,
// stat). Per-process files (/proc/<pid>/stat, smaps_rollup) are parsed by
// lib/proc-stat.ts, shared with the experiment runners.

/** USER_HZ: the unit of /proc/<pid>/stat and /proc/stat times. 100 on every Linux ABI Isolab runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

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
