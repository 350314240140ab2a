import { z } from "zod";

// Pure parsers for cgroup v1 and v2 files. Raw shapes are named after the file
// they come from; `CgroupUsage` is the one shape the rest of Isolab reads.

/** "key value" lines (memory.stat, cpu.stat, memory.events, oom_control) to numbers. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^-?\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

const count = z.number().int().nonnegative();

export const CgroupV1MemoryStatSchema = z.object({
  cache: count,
  rss: count,
  /** total_* include descendant cgroups: what the whole container costs. */
  total_cache: count,
  total_rss: count,
});
export type CgroupV1MemoryStat = z.infer<typeof CgroupV1MemoryStatSchema>;

export const CgroupV1OomControlSchema = z.object({
  oom_kill_disable: count,
  under_oom: count,
  // Kernels before 4.13 do not report kills here.
  oom_kill: count.default(0),
});
export type CgroupV1OomControl = z.infer<typeof CgroupV1OomControlSchema>;

export const CgroupV2MemoryStatSchema = z.object({
  anon: count,
  file: count,
  kernel: count.optional(),
  shmem: count.optional(),
});
export type CgroupV2MemoryStat = z.infer<typeof CgroupV2MemoryStatSchema>;

export const CgroupV2MemoryEventsSchema = z.object({
  oom: count.default(0),
  oom_kill: count.default(0),
  max: count.default(0),
});
export type CgroupV2MemoryEvents = z.infer<typeof CgroupV2MemoryEventsSchema>;

export const CgroupV2CpuStatSchema = z.object({
  usage_usec: count,
  user_usec: count.optional(),
  system_usec: count.optional(),
});
export type CgroupV2CpuStat = z.infer<typeof CgroupV2CpuStatSchema>;

export function parseV1MemoryStat(text: string): CgroupV1MemoryStat {
  return CgroupV1MemoryStatSchema.parse(parseFlatKeyed(text));
}
export function parseV1OomControl(text: string): CgroupV1OomControl {
  return CgroupV1OomControlSchema.parse(parseFlatKeyed(text));
}
export function parseV2MemoryStat(text: string): CgroupV2MemoryStat {
  return CgroupV2MemoryStatSchema.parse(parseFlatKeyed(text));
}
export function parseV2MemoryEvents(text: string): CgroupV2MemoryEvents {
  return CgroupV2MemoryEventsSchema.parse(parseFlatKeyed(text));
}
export function parseV2CpuStat(text: string): CgroupV2CpuStat {
  return CgroupV2CpuStatSchema.parse(parseFlatKeyed(text));
}

/** A single-number file (memory.usage_in_bytes, pids.current, cpuacct.usage). */
export function parseCounter(text: string): number {
  return count.parse(Number(z.string().regex(/^\d+$/).parse(text.trim())));
}

// v1 reports "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 with
// 4 KiB pages); anything from 2^62 up is that, not a real limit.
// Compared as BigInt: that value is past Number.MAX_SAFE_INTEGER.
const V1_UNLIMITED = BigInt(2) ** BigInt(62);

/** memory.limit_in_bytes (v1) or memory.max / pids.max (v2); null when unlimited. */
export function parseLimit(text: string): number | null {
  const t = text.trim();
  if (t === "max") return null;
  if (/^\d+$/.test(t) && BigInt(t) >= V1_UNLIMITED) return null;
  return parseCounter(t);
}

/** tasks / cgroup.procs / cgroup.threads: one id per line. */
export function parseIdList(text: string): number[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** What one cgroup costs the host, whatever the cgroup version. */
export interface CgroupUsage {
  version: 1 | 2;
  memoryBytes: number;
  /** Anonymous memory (v1 total_rss, v2 anon). */
  rssBytes: number;
  /** Page cache (v1 total_cache, v2 file), including tmpfs files. */
  cacheBytes: number;
  limitBytes: number | null;
  oomKills: number;
  cpuNs: number;
  pids: number;
  /** Process ids (cgroup.procs). */
  procs: number[];
  /** Thread ids (v1 tasks, v2 cgroup.threads). */
  tasks: number[];
}

/** Raw texts of the v1 files, one per controller hierarchy. */
export interface CgroupV1Files {
  memoryUsage: string;
  memoryStat: string;
  memoryLimit: string;
  oomControl: string;
  cpuacctUsage: string;
  pidsCurrent: string;
  procs: string;
  tasks: string;
}

export interface CgroupV2Files {
  memoryCurrent: string;
  memoryStat: string;
  memoryMax: string;
  memoryEvents: string;
  cpuStat: string;
  pidsCurrent: string;
  procs: string;
  threads: string;
}

export function usageFromV1(f: CgroupV1Files): CgroupUsage {
  const stat = parseV1MemoryStat(f.memoryStat);
  return {
    version: 1,
    memoryBytes: parseCounter(f.memoryUsage),
    rssBytes: stat.total_rss,
    cacheBytes: stat.total_cache,
    limitBytes: parseLimit(f.memoryLimit),
    oomKills: parseV1OomControl(f.oomControl).oom_kill,
    cpuNs: parseCounter(f.cpuacctUsage),
    pids: parseCounter(f.pidsCurrent),
    procs: parseIdList(f.procs),
    tasks: parseIdList(f.tasks),
  };
}

export function usageFromV2(f: CgroupV2Files): CgroupUsage {
  const stat = parseV2MemoryStat(f.memoryStat);
  return {
    version: 2,
    memoryBytes: parseCounter(f.memoryCurrent),
    rssBytes: stat.anon,
    cacheBytes: stat.file,
    limitBytes: parseLimit(f.memoryMax),
    oomKills: parseV2MemoryEvents(f.memoryEvents).oom_kill,
    cpuNs: parseV2CpuStat(f.cpuStat).usage_usec * 1000,
    pids: parseCounter(f.pidsCurrent),
    procs: parseIdList(f.procs),
    tasks: parseIdList(f.threads),
  };
}
