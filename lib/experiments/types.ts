import type { Accel, HostInfo, InstanceKind } from "@/lib/core/types";
import type { Summary } from "@/lib/core/stats";
import type { MitigationRecord } from "@/lib/host/mitigations";
import type { DensityResult, DensitySampleName } from "@/lib/experiments/density/types";
import type { IsolationResult, IsolationSampleName } from "@/lib/experiments/isolation/types";
import type { WarmMemoryResult } from "@/lib/experiments/startup/warm-memory";

// Domain types of experiments, shared by the runner, the API, the CLI and
// the pages. Plans (what a user asks for) are zod schemas in
// lib/schemas/experiment.ts; these are what a run produces.

export const EXPERIMENT_TYPES = ["startup", "overhead", "isolation", "density"] as const;
export type ExperimentType = (typeof EXPERIMENT_TYPES)[number];

export const EXPERIMENT_STATUSES = ["queued", "running", "done", "failed", "cancelled", "interrupted"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export const FINISHED_STATUSES: readonly ExperimentStatus[] = ["done", "failed", "cancelled", "interrupted"];

/**
 * What a startup experiment can start: the three kinds, and `vm-warm` — a VM
 * restored from its template snapshot (an instance of kind vm, startMode warm).
 */
export const STARTUP_KINDS = ["process", "container", "vm", "vm-warm"] as const;
export type StartupKind = (typeof STARTUP_KINDS)[number];

export const WORKLOADS = ["cpu", "stream", "syscall", "io"] as const;
export type Workload = (typeof WORKLOADS)[number];

/**
 * One raw measurement: a cold start (startup), one workload repetition or
 * an idle window (overhead). Value keys end in their unit (`_ms`, `_mbps`,
 * `_ns`, `_pct`, `_bytes`, `_per_s`) so a CSV column says what it holds.
 */
export interface ExperimentSample {
  /** Order in which samples were taken, from 1. */
  seq: number;
  /** "host": a reading of the whole host (isolation and density runs), not of one instance. */
  kind: StartupKind | "host";
  /** "memory": one host-memory reading of a VM in its first minute (startup runs with vm and vm-warm). */
  sample: "startup" | "memory" | "idle" | Workload | IsolationSampleName | DensitySampleName;
  /** Run (startup) or repetition (overhead) number from 1; 0 for a warm-up. */
  rep: number;
  warmup: boolean;
  /** Accelerator of the VM this sample came from; absent for other kinds. */
  accel?: Accel;
  values: Record<string, number>;
  /** Set when this run failed; values are then empty. */
  error?: string;
  takenAt: string;
}

export interface SkippedKind {
  kind: StartupKind;
  reason: string;
}

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
  /** Host memory of a cold and a restored VM over their first seconds; null when the run had not both. */
  memory?: WarmMemoryResult | null;
}

export type Direction = "higher" | "lower";

export interface OverheadRow {
  workload: Workload;
  /** Key in the samples' values, e.g. "ops_per_s". */
  metric: string;
  label: string;
  unit: string;
  /** Whether a higher or a lower value is better; the ratio is read the same way. */
  direction: Direction;
  perKind: Partial<Record<InstanceKind, Summary>>;
  /** Median of the kind / median of the bare process. */
  ratio: Partial<Record<InstanceKind, number | null>>;
}

export interface IdleCost {
  kind: InstanceKind;
  accel?: Accel;
  windowMs: number;
  /** Host CPU time used over the window, as % of one core. */
  cpuPercent: number;
  /** The smallest non-zero cpuPercent this window could show (one /proc clock tick); ~0 for a cgroup. */
  cpuResolutionPercent: number;
  /** Host view of memory: cgroup usage (container) or PSS of the carrying process (process, QEMU). */
  memoryBytes: number;
  memorySource: "cgroup" | "pss";
}

export interface OverheadResult {
  type: "overhead";
  rows: OverheadRow[];
  idle: IdleCost[];
  skipped: SkippedKind[];
  /** The probe arguments each workload ran with. */
  workloadArgs: Record<Workload, string[]>;
}

export type ExperimentResult = StartupResult | OverheadResult | IsolationResult | DensityResult;

/** Where the numbers came from; shown beside every result. */
export interface ExperimentEnvironment {
  host: HostInfo;
  /** The accelerator the VMs of this run used, with the reason; null when no VM ran. */
  accelerator: { accel: Accel; reason: string } | null;
  /** The host's CPU-vulnerability mitigations and the guests' `mitigations=`; absent in runs recorded before it was. */
  mitigations?: MitigationRecord;
  node: string;
  capturedAt: string;
}

export interface ExperimentProgress {
  done: number;
  total: number;
  message: string;
}

export interface ExperimentRecord<P = unknown> {
  id: string;
  type: ExperimentType;
  status: ExperimentStatus;
  plan: P;
  environment: ExperimentEnvironment | null;
  result: ExperimentResult | null;
  /** Why it failed, was cancelled or was interrupted. */
  error: string | null;
  progress: ExperimentProgress | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  samples: ExperimentSample[];
}

/** The list view: a record without its raw samples. */
export type ExperimentListItem<P = unknown> = Omit<ExperimentRecord<P>, "samples">;

/** Published on the event bus as `experiment` while a run progresses. */
export interface ExperimentEvent {
  id: string;
  type: ExperimentType;
  status: ExperimentStatus;
  progress: ExperimentProgress | null;
  error: string | null;
}

/** How the accelerator is named beside every VM number. */
export function accelLabel(accel: Accel | undefined | null): string {
  if (accel === "tcg") return "TCG — emulated, not KVM";
  if (accel === "kvm") return "KVM — hardware-assisted";
  return "accelerator unknown";
}
