import { ratio, summarize } from "@/lib/core/stats";
import type { InstanceKind } from "@/lib/core/types";
import type { ExperimentSample, SkippedKind, Workload } from "@/lib/experiments/types";
import { byKindOrder, measured } from "@/lib/experiments/samples";
import { OVERHEAD_METRICS } from "@/lib/probe/workload-metrics";
import type { IdleCost, OverheadResult, OverheadRow } from "./types";

// Raw overhead samples → the summary a page shows. Pure, like the startup one.

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
