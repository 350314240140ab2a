import type { Accel } from "@/lib/core/types";
import type { Summary } from "@/lib/core/stats";
import type { SkippedKind, StartupKind } from "@/lib/experiments/types";
import type { WarmMemoryResult } from "./warm-memory";

// What a startup run produces (its plan: ./schema.ts).

export interface PhaseSummary {
  name: string;
  summary: Summary;
}

export interface StartupKindSummary {
  kind: StartupKind;
  accel?: Accel;
  total: Summary;
  /** In the order the engine reports them, so they stack as they happened. */
  phases: PhaseSummary[];
  failures: number;
}

export interface StartupResult {
  type: "startup";
  kinds: StartupKindSummary[];
  skipped: SkippedKind[];
  /** vm median total / container median total; null when either is missing. */
  ratioVmToContainer: number | null;
  /** vm median total / process median total. */
  ratioVmToProcess: number | null;
  /** container median total / process median total. */
  ratioContainerToProcess: number | null;
  /** vm-warm median total / vm median total (absent in runs from before vm-warm existed). */
  ratioWarmToVm?: number | null;
  /** vm-warm median total / container median total. */
  ratioWarmToContainer?: number | null;
  /** vm-template median total / container median total (target ≤ 2×; absent in runs from before templated VMs). */
  ratioTemplateToContainer?: number | null;
  /** vm-pooled median total / container median total (target ≤ 1×). */
  ratioPooledToContainer?: number | null;
  /** Host memory of a cold and a restored VM over their first seconds; null when the run had not both. */
  memory?: WarmMemoryResult | null;
}
