import { ratio, summarize } from "@/lib/core/stats";
import type { ExperimentSample, SkippedKind, StartupKind } from "@/lib/experiments/types";
import { byKindOrder, measured } from "@/lib/experiments/samples";
import { summarizeWarmMemory, type WatchedKind } from "./warm-memory";
import type { StartupKindSummary, StartupResult } from "./types";

// Raw startup samples → the summary a page shows. Pure: the same samples
// always give the same result, so a stored run can be re-summarized.

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

export function summarizeStartup(samples: readonly ExperimentSample[], kinds: readonly StartupKind[], skipped: readonly SkippedKind[]): StartupResult {
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
  const watched = samples.filter(
    (s): s is ExperimentSample & { kind: WatchedKind } => s.sample === "memory" && (s.kind === "vm" || s.kind === "vm-warm") && !s.error,
  );
  return {
    type: "startup",
    kinds: byKindOrder(summaries),
    skipped: byKindOrder([...skipped]),
    ratioVmToContainer: ratio(med("vm"), med("container")),
    ratioVmToProcess: ratio(med("vm"), med("process")),
    ratioContainerToProcess: ratio(med("container"), med("process")),
    ratioWarmToVm: ratio(med("vm-warm"), med("vm")),
    ratioWarmToContainer: ratio(med("vm-warm"), med("container")),
    ratioTemplateToContainer: ratio(med("vm-template"), med("container")),
    ratioPooledToContainer: ratio(med("vm-pooled"), med("container")),
    memory: summarizeWarmMemory(watched),
  };
}
