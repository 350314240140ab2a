import type { Instance, InstanceKind } from "@/lib/core/types";

// What the sampler records, once a second per instance, and the pure helpers
// the API and the browser share to window, merge, total and export samples.

/** History windows the API serves and the UI offers, in seconds. */
export const SAMPLE_WINDOWS_S = [60, 300, 900] as const;
export type SampleWindowS = (typeof SAMPLE_WINDOWS_S)[number];
export const DEFAULT_WINDOW_S: SampleWindowS = 60;

/** One reading of one instance. Times are epoch ms; CPU is % of one core. */
export interface InstanceSample {
  t: number;
  /** null for the first reading (a rate needs two). */
  cpuPercent: number | null;
  /** Host CPU time spent on the instance since it started (all threads / the whole cgroup). */
  cpuSeconds: number;
  /** Host view: cgroup usage (container), PSS (vm, process). */
  memoryHostBytes: number;
  rssBytes: number;
  pssBytes?: number;
  /** Page cache charged to a container's cgroup. */
  cacheBytes?: number;
  /** Threads the host runs for the instance (cgroup tasks, QEMU threads, probe threads). */
  hostThreads: number;
  hostProcesses: number;
  oomKills?: number;
  /** Guest view, as last read through the probe (carried forward between slower reads). */
  guestMemoryBytes?: number;
  guestMemTotalBytes?: number;
  guestProcesses?: number;
  guestAt?: number;
  /** Host view − guest view; only when the guest has memory of its own (its MemTotal is not the host's). */
  overheadBytes?: number;
}

export interface HostSample {
  t: number;
  /** All cores together, 0–100. */
  cpuPercent: number | null;
  memTotalBytes: number;
  memAvailableBytes: number;
}

/** The sampler's own cost, so the dashboard can show what watching costs. */
export interface SamplerStats {
  intervalMs: number;
  /** Guest view period per instance in effect, ms (longer with many instances: reads share a budget). */
  guestIntervalMs: number;
  ticks: number;
  instancesSampled: number;
  /** CPU time of the last tick (process.cpuUsage delta), ms. */
  lastTickCpuMs: number;
  /** Wall time of the last tick, ms. */
  lastTickWallMs: number;
  /** Mean CPU ms per tick over the recent ticks. */
  meanTickCpuMs: number;
  /** Sampler CPU as % of one core over the recent ticks (host-view ticks plus guest-view bookkeeping). */
  cpuPercentOfCore: number;
  /** Sampler CPU since it started, seconds. */
  cpuSecondsTotal: number;
  guestReads: number;
  guestErrors: number;
}

/** The payload of one `sample` server-sent event: one tick. */
export interface SampleTick {
  t: number;
  host: HostSample | null;
  sampler: SamplerStats;
  instances: Record<string, InstanceSample>;
}

/** GET /api/samples */
export interface SamplesSnapshot {
  windowS: SampleWindowS;
  host: HostSample[];
  sampler: SamplerStats | null;
  latest: Record<string, InstanceSample>;
}

/** GET /api/instances/:id/samples */
export interface InstanceSamples {
  id: string;
  name: string;
  kind: InstanceKind;
  state: Instance["state"];
  reason?: string;
  windowS: SampleWindowS;
  intervalMs: number;
  samples: InstanceSample[];
}

/** Where a chart's samples download from: an instance's, or the host's when id is null. */
export function samplesDownloadUrl(id: string | null, windowS: number, format: "csv" | "json"): string {
  const base = id === null ? "/api/samples" : `/api/instances/${encodeURIComponent(id)}/samples`;
  return `${base}?window=${windowS}&format=${format}`;
}

/**
 * Adds a live sample to a series, dropping what fell out of the window.
 * A sample not newer than the last one (already in a snapshot) is ignored,
 * so a snapshot and the stream can overlap.
 */
export function appendToWindow<T extends { t: number }>(series: readonly T[], sample: T, windowS: number): T[] {
  const last = series.at(-1);
  if (last && sample.t <= last.t) return series as T[];
  const from = sample.t - windowS * 1000;
  const kept = series.filter((s) => s.t > from);
  kept.push(sample);
  return kept;
}

export interface KindTotal {
  kind: InstanceKind;
  running: number;
  /** Instances with a sample that went into the sums. */
  sampled: number;
  memoryHostBytes: number;
  cpuPercent: number;
  guestMemoryBytes: number;
}

/** Sums of the latest host view per kind, over running instances only. */
export function kindTotals(instances: Instance[], latest: Record<string, InstanceSample>): Record<InstanceKind, KindTotal> {
  const empty = (kind: InstanceKind): KindTotal => ({ kind, running: 0, sampled: 0, memoryHostBytes: 0, cpuPercent: 0, guestMemoryBytes: 0 });
  const out: Record<InstanceKind, KindTotal> = { process: empty("process"), container: empty("container"), vm: empty("vm") };
  for (const i of instances) {
    if (i.state !== "running") continue;
    const t = out[i.kind];
    t.running++;
    const s = latest[i.id];
    if (!s) continue;
    t.sampled++;
    t.memoryHostBytes += s.memoryHostBytes;
    t.cpuPercent += s.cpuPercent ?? 0;
    t.guestMemoryBytes += s.guestMemoryBytes ?? 0;
  }
  return out;
}

/** Column order of the CSV download; every field of InstanceSample. */
export const SAMPLE_CSV_COLUMNS = [
  "t",
  "cpuPercent",
  "cpuSeconds",
  "memoryHostBytes",
  "rssBytes",
  "pssBytes",
  "cacheBytes",
  "hostThreads",
  "hostProcesses",
  "oomKills",
  "guestMemoryBytes",
  "guestMemTotalBytes",
  "guestProcesses",
  "guestAt",
  "overheadBytes",
] as const satisfies readonly (keyof InstanceSample)[];

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : "") : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Column order of the host CSV download. */
export const HOST_CSV_COLUMNS = ["t", "cpuPercent", "memTotalBytes", "memAvailableBytes"] as const satisfies readonly (keyof HostSample)[];

/** RFC 4180 CSV with a header row; `time` is ISO 8601 UTC beside the epoch-ms `t`. */
function rowsToCsv<T extends { t: number }>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const header = ["time", ...columns].join(",");
  const lines = rows.map((r) => [new Date(r.t).toISOString(), ...columns.map((c) => csvCell(r[c]))].join(","));
  return `${[header, ...lines].join("\r\n")}\r\n`;
}

export function samplesToCsv(samples: readonly InstanceSample[]): string {
  return rowsToCsv(samples, SAMPLE_CSV_COLUMNS);
}

export function hostSamplesToCsv(samples: readonly HostSample[]): string {
  return rowsToCsv(samples, HOST_CSV_COLUMNS);
}
