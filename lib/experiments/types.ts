import type { Accel, HostInfo } from "@/lib/core/types";
import type { MitigationRecord } from "@/lib/host/mitigations";
import type { DensitySampleName } from "@/lib/experiments/density/types";
import type { IsolationSampleName } from "@/lib/experiments/isolation/types";
import type { KsmSampleName } from "@/lib/experiments/ksm/types";
import type { ExperimentResult } from "@/lib/experiments/registry";

// Domain types shared by every experiment type: records, samples, statuses.
// Each type's plan schema and result live in its folder (./startup,
// ./overhead, ./isolation, ./density), listed once in ./registry.ts.

export type { ExperimentResult };

export const EXPERIMENT_TYPES = ["startup", "overhead", "isolation", "density", "hostile", "ksm"] as const;
export type ExperimentType = (typeof EXPERIMENT_TYPES)[number];

export const EXPERIMENT_STATUSES = ["queued", "running", "done", "failed", "cancelled", "interrupted"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export const FINISHED_STATUSES: readonly ExperimentStatus[] = ["done", "failed", "cancelled", "interrupted"];

/**
 * What a startup experiment can start: the three kinds, and the other VM
 * start modes (instances of kind vm): `vm-warm` restored from its template's
 * full snapshot, `vm-template` a clone of its shared-memory template,
 * `vm-pooled` a clone the pool had started ahead.
 */
export const STARTUP_KINDS = ["process", "container", "vm", "vm-warm", "vm-template", "vm-pooled"] as const;
export type StartupKind = (typeof STARTUP_KINDS)[number];
/** A plan's kinds when it names none: the templated modes are asked for (they keep a template in /dev/shm, and the pool must be on). */
export const DEFAULT_STARTUP_KINDS: readonly StartupKind[] = ["process", "container", "vm", "vm-warm"];

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
  /** "host": a reading of the whole host (isolation, density and KSM runs), not of one instance. */
  kind: StartupKind | "host";
  /** "memory": one host-memory reading of a VM in its first minute (startup runs with vm and vm-warm). */
  /** "hostile": one `probe hostile` answer (kind container, `values.privileged` 1 for a privileged one, or vm). */
  sample: "startup" | "memory" | "idle" | Workload | IsolationSampleName | DensitySampleName | "hostile" | KsmSampleName;
  /** Run (startup) or repetition (overhead) number from 1; 0 for a warm-up. */
  rep: number;
  warmup: boolean;
  /** Accelerator of the VM this sample came from (of the VMs a KSM run's host reading covers); absent for other kinds. */
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

export type Direction = "higher" | "lower";

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
