import type { Accel, InstanceKind } from "@/lib/core/types";
import type { Summary } from "@/lib/core/stats";
import type { Direction, SkippedKind, Workload } from "@/lib/experiments/types";

// What an overhead run produces (its plan: ./schema.ts).

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
