import type { ExperimentSample } from "@/lib/experiments/types";
import { GIB, MIB } from "@/lib/host/memory-guard";
import type { IsolationHog } from "./schema";
import { INSTANCE_KINDS, type InstanceKind } from "@/lib/core/types";
import { HOG_KIND, HOG_LABELS, hogNumber, type IsolationResult } from "./types";

// Raw isolation samples → the chart series of the run page, all on one time
// axis (seconds since the timeline started). Computed on the server so the
// browser gets a few hundred points, not every latency tick. Pure.

/** Latency ticks are drawn as the worst oversleep per bucket of this many seconds. */
export const LATENCY_BUCKET_S = 0.5;

export interface XY {
  t: number;
  v: number;
}

export interface HogSeries {
  hog: IsolationHog;
  kind: "container" | "vm";
  label: string;
  /** Host view over time: cgroup usage (container) or QEMU RSS (VM), MiB. */
  host: XY[];
  /** The hog's own progress lines: MiB it had touched, over time. */
  touched: XY[];
  /** VM: resident guest RAM, MiB. */
  guestRam: XY[];
  /** The line it is drawn against, MiB, and what that line is. */
  limitMiB: number | null;
  limitLabel: string;
}

export interface IsolationSeries {
  durationS: number;
  phases: { id: string; label: string; startS: number; endS: number }[];
  hogs: HogSeries[];
  /** Host MemAvailable, GiB. */
  available: XY[];
  reserveGiB: number | null;
  /** Per bucket: the worst oversleep of each neighbour kind, ms. */
  latency: ({ t: number } & Partial<Record<InstanceKind, number>>)[];
  latencyKinds: InstanceKind[];
  events: { t: number; label: string; hog: IsolationHog }[];
}

const sec = (ms: number) => Math.round(ms) / 1000;

function hogSeries(hog: IsolationHog, samples: readonly ExperimentSample[], result: IsolationResult): HogSeries {
  const n = hogNumber(hog);
  const kind = HOG_KIND[hog];
  const of = (name: ExperimentSample["sample"]) => samples.filter((s) => s.sample === name && s.rep === n && s.kind === kind && !s.error);
  const outcome = result.hogs.find((h) => h.hog === hog);
  const limitMiB = outcome?.limitBytes != null ? outcome.limitBytes / MIB : outcome?.capBytes != null ? outcome.capBytes / MIB : null;
  const limitLabel = hog === "vm" ? "guest memory" : hog === "container-limited" ? "cgroup limit" : "Isolab's cap (no kernel limit)";
  const hogs = of("hog");
  return {
    hog,
    kind,
    label: HOG_LABELS[hog],
    host: hogs.map((s) => ({ t: sec(s.values.t_ms), v: s.values.host_bytes / MIB })),
    touched: of("touched").map((s) => ({ t: sec(s.values.t_ms), v: s.values.touched_mib })),
    guestRam: hogs.filter((s) => s.values.guest_ram_bytes !== undefined).map((s) => ({ t: sec(s.values.t_ms), v: s.values.guest_ram_bytes / MIB })),
    limitMiB,
    limitLabel,
  };
}

export function latencyBuckets(samples: readonly ExperimentSample[], bucketS = LATENCY_BUCKET_S): IsolationSeries["latency"] {
  const rows = new Map<number, { t: number } & Partial<Record<InstanceKind, number>>>();
  for (const s of samples) {
    if (s.sample !== "latency" || s.error || !isInstanceKind(s.kind)) continue;
    const b = Math.floor(s.values.t_ms / 1000 / bucketS);
    const row = rows.get(b) ?? { t: Number(((b + 0.5) * bucketS).toFixed(3)) };
    const ms = s.values.oversleep_us / 1000;
    row[s.kind] = Math.max(row[s.kind] ?? 0, ms);
    rows.set(b, row);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

export function isolationSeries(samples: readonly ExperimentSample[], result: IsolationResult): IsolationSeries {
  const available = samples
    .filter((s) => s.sample === "host" && !s.error)
    .map((s) => ({ t: sec(s.values.t_ms), v: s.values.available_bytes / GIB }))
    .sort((a, b) => a.t - b.t);
  const latency = latencyBuckets(samples);
  const last = Math.max(0, ...available.map((p) => p.t), ...result.phases.map((p) => sec(p.endMs)));
  return {
    durationS: last,
    phases: result.phases.map((p) => ({ id: p.id, label: p.label, startS: sec(p.startMs), endS: sec(p.endMs) })),
    hogs: result.hogs.filter((h) => !h.error).map((h) => hogSeries(h.hog, samples, result)),
    available,
    reserveGiB: result.host.reserveBytes !== null ? result.host.reserveBytes / GIB : null,
    latency,
    latencyKinds: INSTANCE_KINDS.filter((k) => latency.some((r) => r[k] !== undefined)),
    events: result.events.map((e) => ({ t: sec(e.tMs), label: e.label, hog: e.hog })),
  };
}

const isInstanceKind = (k: string): k is InstanceKind => k === "process" || k === "container" || k === "vm";
