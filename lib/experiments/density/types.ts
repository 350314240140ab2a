import type { SkippedKind } from "@/lib/experiments/types";
import type { LinearFit } from "@/lib/core/linear-fit";
import type { Accel } from "@/lib/core/types";
import type { DensityKind } from "./schema";
import type { LimitCount } from "@/lib/host/kernel-limits";

// What a density run records and concludes. Samples:
//   step  kind, rep = instances live after this step (0 = the baseline before the first start):
//         instances, available_bytes, total_bytes, sum_host_bytes (every live instance's host view),
//         instance_host_bytes, instance_cpu_pct, sum_cpu_pct, startup_ms, window_ms, cores,
//         the kernel's own memory (/proc/meminfo): slab_bytes, sreclaimable_bytes, sunreclaim_bytes,
//         pagetables_bytes, kernelstack_bytes, percpu_bytes; host_tasks (every task on the host),
//         others_anon_bytes (RssAnon of every process but the run's instances: a shared host's own moves),
//         tasks_sum (the live instances' pids.current or threads), ns_<type> (1 when the instance
//         this step added has a <type> namespace of its own)
//   limits kind, rep 0, at the baseline: pid_max, threads_max, host_tasks, max_<type>_namespaces,
//         <type>_namespaces (in use), isolab_max_instances, isolab_max_memory_mib, memory_mib (granted each)
//   verify kind, rep = instances when predicted (a run with a budget, once half of it is used):
//         budget_bytes, used_bytes, marginal_bytes, predicted_count, from_code (MARGINAL_SOURCES index)
//   template  kind vm-template, rep 0, before the baseline: resident_bytes (what tmpfs holds for the
//         template's RAM file, st_blocks × 512), size_bytes (its size); error when no file was found
//   stop  kind, rep = instances reached: reason_code (STOP_REASONS index), instances,
//         available_bytes?, need_bytes?, reserve_bytes?; error carries a refusal's or failure's own words
// The result is derived from them alone (lib/experiments/density/summary.ts).

export const DENSITY_SAMPLES = ["step", "limits", "verify", "stop", "template"] as const;
export type DensitySampleName = (typeof DENSITY_SAMPLES)[number];

export const STOP_REASONS = ["max", "reserve", "budget", "cap", "start-failed"] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export const MARGINAL_SOURCES = ["memavailable", "host-view", "kernel"] as const;
export type MarginalSource = (typeof MARGINAL_SOURCES)[number];
/** Which fit a marginal came from, in words (captions, the planner's source line). */
export const MARGINAL_WORDS: Record<MarginalSource, string> = {
  memavailable: "MemAvailable drop",
  "host-view": "summed host view",
  kernel: "kernel structures' growth",
};

export interface DensityStep {
  instances: number;
  /** MemAvailable at the kind's baseline minus now. */
  availableDropBytes: number;
  /** What the rest of the host allocated since the baseline (RssAnon of every other process); null when not read. */
  othersDeltaBytes?: number | null;
  /** Slab + PageTables + KernelStack + Percpu now minus at the baseline; null when not read. */
  kernelDeltaBytes: number | null;
  /** SUnreclaim alone, the part of the slab the kernel cannot hand back under pressure; null when not read. */
  sUnreclaimDeltaBytes: number | null;
  /** Host view of every live instance of the kind, summed (cgroup usage; PSS for a VM or process). */
  sumHostBytes: number;
  /** Host view of the instance this step added; null at the baseline. */
  instanceHostBytes: number | null;
  instanceCpuPct: number | null;
  sumCpuPct: number;
  startupMs: number | null;
}

export interface Marginal {
  /**
   * Fit of the MemAvailable drop against the instance count, MiB per instance — less what the
   * rest of the host allocated meanwhile (others' RssAnon), when the run read that.
   */
  memAvailable: LinearFit | null;
  /** The same fit without taking the rest of the host out; absent when there was nothing to take out. */
  memAvailableRaw?: LinearFit | null;
  /** Fit of the summed host view against the instance count, MiB per instance. */
  hostView: LinearFit | null;
  /** Fit of the kernel structures' growth (Slab + PageTables + KernelStack + Percpu), MiB per instance. */
  kernel?: LinearFit | null;
  /** What capacity is extrapolated from: the larger usable estimate (conservative). */
  chosenMiB: number | null;
  chosenFrom: MarginalSource | null;
  /** Why MemAvailable was not used, when it was not (noise from the rest of the host). */
  note: string | null;
  /** Which estimate was chosen and why, in words. */
  why?: string;
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

/** How far the host's limits let this kind go, and which stops it first. */
export interface DensityLimits {
  /** Tasks (pids) one instance adds: the larger of the host's task count slope and the instances' own pids. */
  tasksPerInstance: number | null;
  /** Every limit read, with how many more instances it allows from the kind's baseline. */
  counts: LimitCount[];
  first: LimitCount | null;
  /** The first limit other than memory: what caps "room for N more" where free memory is read live (Figure 2.1). */
  firstBeyondMemory?: LimitCount | null;
}

/** A prediction from the measured marginal, checked by starting instances until the budget was used. */
export interface DensityVerify {
  budgetBytes: number;
  /** Instances running when the prediction was made (about half the budget used). */
  calibratedOn: number;
  marginalMiB: number;
  from: MarginalSource | null;
  predicted: number;
  /** Instances running when the budget was used (or the run stopped for another reason). */
  reached: number;
  /** true when the run stopped because the budget was used: only then is `reached` the check. */
  budgetUsed: boolean;
  /** (reached − predicted) / predicted; null when the prediction was 0. */
  error: number | null;
  text: string;
}

export interface DensityKindResult {
  kind: DensityKind;
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
  /** Absent in runs recorded before the limits were read. */
  limits?: DensityLimits;
  verify?: DensityVerify | null;
  /** vm-template only: the template's RAM file, paid once before the first clone; null when not found, absent in older runs. */
  templateFile?: { residentBytes: number; sizeBytes: number } | null;
  schedule?: "each" | "geometric";
}

export interface DensityResult {
  type: "density";
  kinds: DensityKindResult[];
  /** VM marginal memory / container marginal memory (the chosen estimates); null without both. */
  ratioVmToContainer: number | null;
  /** Templated VM marginal memory / cold VM marginal memory (target ≤ 10 %); null without both, absent in older runs. */
  ratioTemplateToVm?: number | null;
  host: { totalBytes: number | null; reserveBytes: number | null; cores: number | null };
  assumptions: string[];
  skipped: SkippedKind[];
}
