import type { ExperimentSample, SkippedKind } from "@/lib/experiments/types";
import { hostReserveBytes, watchdogReason } from "@/lib/host/memory-guard";
import type { IsolationHog } from "./schema";
import { percentile } from "@/lib/core/stats";
import { INSTANCE_KINDS, type InstanceKind } from "@/lib/core/types";
import {
  CAP_BOUNDS,
  HOG_KIND,
  PHASE_IDS,
  PHASE_LABELS,
  hogNumber,
  type HogOutcome,
  type IsolationEvent,
  type IsolationPhase,
  type IsolationResult,
  type KilledBy,
  type LatencyStats,
  type NeighbourLatency,
  type PhaseId,
} from "./types";
import { isolationVerdicts } from "./verdicts";

// Raw isolation samples → what the page and the terminal show. Pure.

const ok = (s: ExperimentSample) => !s.error;
const t = (s: ExperimentSample) => s.values.t_ms;
const num = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

export function latencyStats(oversleepUs: readonly number[]): LatencyStats | undefined {
  const xs = oversleepUs.filter(Number.isFinite);
  if (xs.length === 0) return undefined;
  return { n: xs.length, p50Us: percentile(xs, 50), p99Us: percentile(xs, 99), maxUs: Math.max(...xs) };
}

function phasesOf(samples: readonly ExperimentSample[]): IsolationPhase[] {
  return samples
    .filter((s) => s.sample === "phase" && ok(s) && PHASE_IDS[s.rep] !== undefined)
    .map((s) => ({ id: PHASE_IDS[s.rep], label: PHASE_LABELS[PHASE_IDS[s.rep]], startMs: s.values.start_ms, endMs: s.values.end_ms }))
    .sort((a, b) => a.startMs - b.startMs);
}

/** The last reading at or before `ms`, else the first one after it. */
function at(readings: readonly ExperimentSample[], ms: number): ExperimentSample | undefined {
  let best: ExperimentSample | undefined;
  for (const r of readings) if (t(r) <= ms) best = r;
  return best ?? readings[0];
}

function within(readings: readonly ExperimentSample[], start: number, end: number) {
  return readings.filter((r) => t(r) >= start && t(r) <= end);
}

function killedBy(hog: IsolationHog, v: Record<string, number>, oomKills: number | null): KilledBy {
  if (v.guard_stopped === 1) return "isolab-guard";
  if (HOG_KIND[hog] === "vm") return (v.guest_oom_kills ?? 0) > 0 ? "guest-kernel" : null;
  return (oomKills ?? 0) > 0 ? "cgroup" : null;
}

function hogOutcome(hog: IsolationHog, samples: readonly ExperimentSample[], host: readonly ExperimentSample[]): HogOutcome | undefined {
  const n = hogNumber(hog);
  const kind = HOG_KIND[hog];
  const res = samples.find((s) => s.sample === "hog-result" && s.rep === n && s.kind === kind);
  if (!res) return undefined;
  const v = res.values;
  const empty: HogOutcome = {
    hog,
    kind,
    accel: res.accel,
    limitBytes: num(v.limit_bytes),
    capBytes: num(v.cap_bytes),
    capBound: v.cap_bound ? (CAP_BOUNDS[v.cap_bound - 1] ?? null) : null,
    askedMiB: v.asked_mib ?? 0,
    touchedMiB: num(v.touched_mib),
    exitCode: num(v.exit_code),
    killedBy: null,
    oomKills: null,
    guestOomKills: num(v.guest_oom_kills),
    hostStartBytes: null,
    hostPeakBytes: null,
    guestRamPeakBytes: null,
    qemuOwnPeakBytes: null,
    runningAfter: v.running_after === undefined ? null : v.running_after === 1,
    pingMs: num(v.ping_ms),
    availableStartBytes: null,
    availableMinBytes: null,
    availableEndBytes: null,
    guardStopped: v.guard_stopped === 1,
    guardReason: null,
    startMs: num(v.start_ms),
    endMs: num(v.end_ms),
    error: res.error ?? null,
  };
  if (res.error || empty.startMs === null || empty.endMs === null) return empty;
  const { startMs, endMs } = empty;
  const mine = samples.filter((s) => s.sample === "hog" && s.rep === n && s.kind === kind && ok(s)).sort((a, b) => t(a) - t(b));
  const during = within(mine, startMs, endMs);
  const peak = during.reduce<ExperimentSample | undefined>((p, s) => (!p || s.values.host_bytes > p.values.host_bytes ? s : p), undefined);
  const watermarks = during.map((s) => s.values.peak_bytes).filter((x) => x !== undefined);
  const hostPeak = peak ? Math.max(peak.values.host_bytes, ...watermarks) : null;
  const oomKills = v.oom_kills_after !== undefined && v.oom_kills_before !== undefined ? v.oom_kills_after - v.oom_kills_before : null;
  const hostDuring = within(host, startMs, endMs);
  const guard = samples.find((s) => s.sample === "guard" && s.rep === n)?.values;
  return {
    ...empty,
    guardReason: guard
      ? watchdogReason({ usageBytes: guard.usage_bytes, capBytes: guard.cap_bytes, availableBytes: guard.available_bytes, totalBytes: guard.total_bytes })
      : null,
    killedBy: killedBy(hog, v, oomKills),
    oomKills,
    hostStartBytes: num(at(mine, startMs)?.values.host_bytes),
    hostPeakBytes: hostPeak,
    guestRamPeakBytes: num(peak?.values.guest_ram_bytes),
    qemuOwnPeakBytes: num(peak?.values.qemu_own_bytes),
    availableStartBytes: num(at(host, startMs)?.values.available_bytes),
    availableMinBytes: hostDuring.length ? Math.min(...hostDuring.map((s) => s.values.available_bytes)) : null,
    availableEndBytes: num(at(host, endMs)?.values.available_bytes),
  };
}

function neighbourLatency(kind: InstanceKind, samples: readonly ExperimentSample[], phases: readonly IsolationPhase[]): NeighbourLatency | undefined {
  const ticks = samples.filter((s) => s.sample === "latency" && s.kind === kind && ok(s));
  if (ticks.length === 0) return undefined;
  const perPhase: Partial<Record<PhaseId, LatencyStats>> = {};
  for (const p of phases) {
    const stats = latencyStats(ticks.filter((s) => t(s) >= p.startMs && t(s) < p.endMs).map((s) => s.values.oversleep_us));
    if (stats) perPhase[p.id] = stats;
  }
  return { kind, accel: ticks.find((s) => s.accel)?.accel, perPhase };
}

function eventsOf(samples: readonly ExperimentSample[], hogs: readonly HogOutcome[]): IsolationEvent[] {
  const events: IsolationEvent[] = [];
  for (const s of samples.filter((x) => x.sample === "oom-kill" && ok(x))) {
    const hog = hogs.find((h) => hogNumber(h.hog) === s.rep && h.kind === s.kind);
    if (hog) events.push({ tMs: t(s), hog: hog.hog, kind: hog.kind, label: `OOM kill by its cgroup (${s.values.oom_kills} in all)` });
  }
  for (const h of hogs) {
    const exit = samples.find((s) => s.sample === "hog-result" && s.rep === hogNumber(h.hog))?.values.exit_ms;
    if (exit === undefined || h.error) continue;
    if (h.killedBy === "guest-kernel") events.push({ tMs: exit, hog: h.hog, kind: h.kind, label: "OOM kill by the guest's own kernel" });
    else if (h.killedBy === "isolab-guard") events.push({ tMs: exit, hog: h.hog, kind: h.kind, label: "stopped by Isolab's guard" });
    else if (h.killedBy === null && h.exitCode === 0)
      events.push({ tMs: exit, hog: h.hog, kind: h.kind, label: `hog released its ${h.touchedMiB ?? "?"} MiB` });
  }
  return events.sort((a, b) => a.tMs - b.tMs);
}

export function summarizeIsolation(
  samples: readonly ExperimentSample[],
  plan: { hogs: readonly IsolationHog[]; neighbours: readonly InstanceKind[] },
  skipped: readonly SkippedKind[],
): IsolationResult {
  const host = samples.filter((s) => s.sample === "host" && ok(s)).sort((a, b) => t(a) - t(b));
  const first = host[0]?.values;
  const phases = phasesOf(samples);
  const hogs = plan.hogs.map((h) => hogOutcome(h, samples, host)).filter((h): h is HogOutcome => h !== undefined);
  const neighbours = INSTANCE_KINDS.filter((k) => plan.neighbours.includes(k))
    .map((k) => neighbourLatency(k, samples, phases))
    .filter((n): n is NeighbourLatency => n !== undefined);
  return {
    type: "isolation",
    host: {
      totalBytes: num(first?.total_bytes),
      reserveBytes: first?.total_bytes ? hostReserveBytes(first.total_bytes) : null,
      swapTotalBytes: num(first?.swap_total_bytes),
      swapFreeBytes: num(first?.swap_free_bytes),
      availableStartBytes: num(first?.available_bytes),
    },
    phases,
    hogs,
    neighbours,
    events: eventsOf(samples, hogs),
    verdicts: isolationVerdicts(hogs, neighbours),
    skipped: [...skipped],
  };
}
