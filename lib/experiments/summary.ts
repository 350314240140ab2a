import { ratio, summarize } from "@/lib/core/stats";
import type { InstanceKind } from "@/lib/core/types";
import { summarizeWarmMemory, type WatchedKind } from "@/lib/experiments/startup/warm-memory";
import {
  STARTUP_KINDS,
  type StartupKind,
  type ExperimentSample,
  type IdleCost,
  type OverheadResult,
  type OverheadRow,
  type SkippedKind,
  type StartupKindSummary,
  type StartupResult,
  type Workload,
} from "@/lib/experiments/types";
import { OVERHEAD_METRICS } from "@/lib/probe/workload-metrics";

// Raw samples → the summaries a page shows. Pure: the same samples always
// give the same result, so a stored run can be re-summarized.

export const PHASE_PREFIX = "phase_";
export const MS_SUFFIX = "_ms";

export function phaseKey(name: string): string {
  return `${PHASE_PREFIX}${name}${MS_SUFFIX}`;
}

/** Phase names of a startup sample, in the order the engine reported them. */
export function phaseNames(values: Record<string, number>): string[] {
  return Object.keys(values)
    .filter((k) => k.startsWith(PHASE_PREFIX) && k.endsWith(MS_SUFFIX))
    .map((k) => k.slice(PHASE_PREFIX.length, -MS_SUFFIX.length));
}

function measured(samples: readonly ExperimentSample[], kind: StartupKind, sample: ExperimentSample["sample"]) {
  return samples.filter((s) => s.kind === kind && s.sample === sample && !s.warmup && !s.error);
}

function byKindOrder<T extends { kind: StartupKind }>(xs: T[]): T[] {
  return xs.sort((a, b) => STARTUP_KINDS.indexOf(a.kind) - STARTUP_KINDS.indexOf(b.kind));
}

export function summarizeStartup(
  samples: readonly ExperimentSample[],
  kinds: readonly StartupKind[],
  skipped: readonly SkippedKind[],
): StartupResult {
  const summaries: StartupKindSummary[] = [];
  for (const kind of kinds) {
    if (skipped.some((s) => s.kind === kind)) continue;
    const ok = measured(samples, kind, "startup");
    if (ok.length === 0) continue;
    const names = phaseNames(ok[0].values);
    summaries.push({
      kind,
      accel: ok.find((s) => s.accel)?.accel,
      total: summarize(ok.map((s) => s.values.total_ms)),
      phases: names.map((name) => ({ name, summary: summarize(ok.map((s) => s.values[phaseKey(name)])) })),
      failures: samples.filter((s) => s.kind === kind && s.sample === "startup" && !s.warmup && s.error).length,
    });
  }
  const med = (kind: StartupKind) => summaries.find((s) => s.kind === kind)?.total.median;
  const watched = samples.filter((s): s is ExperimentSample & { kind: WatchedKind } => s.sample === "memory" && (s.kind === "vm" || s.kind === "vm-warm") && !s.error);
  return {
    type: "startup",
    kinds: byKindOrder(summaries),
    skipped: byKindOrder([...skipped]),
    ratioVmToContainer: ratio(med("vm"), med("container")),
    ratioVmToProcess: ratio(med("vm"), med("process")),
    ratioContainerToProcess: ratio(med("container"), med("process")),
    ratioWarmToVm: ratio(med("vm-warm"), med("vm")),
    ratioWarmToContainer: ratio(med("vm-warm"), med("container")),
    memory: summarizeWarmMemory(watched),
  };
}

export function summarizeOverhead(
  samples: readonly ExperimentSample[],
  kinds: readonly InstanceKind[],
  workloads: readonly Workload[],
  skipped: readonly SkippedKind[],
  workloadArgs: Record<Workload, string[]>,
): OverheadResult {
  const ran = kinds.filter((k) => !skipped.some((s) => s.kind === k));
  const rows: OverheadRow[] = [];
  for (const m of OVERHEAD_METRICS.filter((m) => workloads.includes(m.workload))) {
    const perKind: OverheadRow["perKind"] = {};
    for (const kind of ran) {
      const xs = measured(samples, kind, m.workload).map((s) => s.values[m.metric]);
      if (xs.length) perKind[kind] = summarize(xs);
    }
    const base = perKind.process?.median;
    const ratios: OverheadRow["ratio"] = {};
    for (const kind of ran) ratios[kind] = ratio(perKind[kind]?.median, base);
    rows.push({ ...m, perKind, ratio: ratios });
  }
  const idle: IdleCost[] = [];
  for (const kind of ran) {
    const s = measured(samples, kind, "idle")[0];
    if (!s) continue;
    idle.push({
      kind,
      accel: s.accel,
      windowMs: s.values.window_ms,
      cpuPercent: s.values.cpu_pct,
      cpuResolutionPercent: s.values.cpu_resolution_pct ?? 0,
      memoryBytes: s.values.memory_bytes,
      memorySource: s.values.cgroup_memory_bytes !== undefined ? "cgroup" : "pss",
    });
  }
  return { type: "overhead", rows, idle: byKindOrder(idle), skipped: byKindOrder([...skipped]), workloadArgs };
}
