import type { SkippedKind } from "@/lib/experiments/types";
import type { LinearFit } from "@/lib/core/linear-fit";
import type { Accel, InstanceKind } from "@/lib/core/types";

// What a density run records and concludes. Samples:
//   step  kind, rep = instances live after this step (0 = the baseline before the first start):
//         instances, available_bytes, total_bytes, sum_host_bytes (every live instance's host view),
//         instance_host_bytes, instance_cpu_pct, sum_cpu_pct, startup_ms, window_ms, cores
//   stop  kind, rep = instances reached: reason_code (STOP_REASONS index), instances,
//         available_bytes?, need_bytes?, reserve_bytes?; error carries a refusal's or failure's own words
// The result is derived from them alone (lib/experiments/density/summary.ts).

export const DENSITY_SAMPLES = ["step", "stop"] as const;
export type DensitySampleName = (typeof DENSITY_SAMPLES)[number];

export const STOP_REASONS = ["max", "reserve", "budget", "cap", "start-failed"] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export interface DensityStep {
  instances: number;
  /** MemAvailable at the kind's baseline minus now. */
  availableDropBytes: number;
  /** Host view of every live instance of the kind, summed (cgroup usage; PSS for a VM or process). */
  sumHostBytes: number;
  /** Host view of the instance this step added; null at the baseline. */
  instanceHostBytes: number | null;
  instanceCpuPct: number | null;
  sumCpuPct: number;
  startupMs: number | null;
}

export interface Marginal {
  /** Fit of the MemAvailable drop against the instance count, MiB per instance. */
  memAvailable: LinearFit | null;
  /** Fit of the summed host view against the instance count, MiB per instance. */
  hostView: LinearFit | null;
  /** What capacity is extrapolated from: the larger usable estimate (conservative). */
  chosenMiB: number | null;
  chosenFrom: "memavailable" | "host-view" | null;
  /** Why MemAvailable was not used, when it was not (noise from the rest of the host). */
  note: string | null;
  /** Fit of the summed CPU against the instance count: % of one core per instance. */
  cpuPct: LinearFit | null;
}

export interface Fits {
  /** Memory the extrapolation may use: MemAvailable at the baseline minus the reserve (and within a budget). */
  budgetBytes: number;
  byMemory: number | null;
  /** null when idle instances use no measurable CPU. */
  byCpu: number | null;
  count: number | null;
  bound: "memory" | "cpu" | null;
}

export interface DensityKindResult {
  kind: InstanceKind;
  accel?: Accel;
  reached: number;
  stopReason: StopReason | null;
  /** In words, with the numbers: "reached --max 20", "the host's reserve would be crossed: …". */
  stopText: string;
  baselineAvailableBytes: number | null;
  steps: DensityStep[];
  marginal: Marginal;
  startup: { firstMs: number | null; lastMs: number | null; medianMs: number | null; slopeMsPerInstance: number | null };
  fits: Fits;
}

export interface DensityResult {
  type: "density";
  kinds: DensityKindResult[];
  /** VM marginal memory / container marginal memory (the chosen estimates); null without both. */
  ratioVmToContainer: number | null;
  host: { totalBytes: number | null; reserveBytes: number | null; cores: number | null };
  assumptions: string[];
  skipped: SkippedKind[];
}
