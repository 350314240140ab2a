import { z } from "zod";
import type { Direction, Workload } from "@/lib/experiments/types";

// The probe's workload results (guest/README.md), parsed rather than cast,
// and the rows of the overhead table built from them.

/** Sizes chosen so one repetition of all four takes well under a second natively and seconds under TCG. */
export const WORKLOAD_ARGS: Record<Workload, string[]> = {
  cpu: ["500"],
  stream: ["32"],
  syscall: ["200000"],
  io: ["8"],
};

const n = z.number().finite();
const ProbeCpuResultSchema = z.object({ workload: z.literal("cpu"), ops: n, seconds: n, opsPerSec: n });
const ProbeStreamResultSchema = z.object({ workload: z.literal("stream"), copyMBps: n, scaleMBps: n, addMBps: n, triadMBps: n });
const ProbeSyscallResultSchema = z.object({ workload: z.literal("syscall"), calls: n, nsPerCall: n });
const ProbeIoResultSchema = z.object({ workload: z.literal("io"), writeMBps: n, readMBps: n });

/** The probe's JSON for one workload, as sample values whose keys carry their unit. */
export function workloadValues(workload: Workload, json: unknown): Record<string, number> {
  switch (workload) {
    case "cpu": {
      const r = ProbeCpuResultSchema.parse(json);
      return { ops_per_s: r.opsPerSec, ops: r.ops, seconds_s: r.seconds };
    }
    case "stream": {
      const r = ProbeStreamResultSchema.parse(json);
      return { copy_mbps: r.copyMBps, scale_mbps: r.scaleMBps, add_mbps: r.addMBps, triad_mbps: r.triadMBps };
    }
    case "syscall": {
      const r = ProbeSyscallResultSchema.parse(json);
      return { ns_per_call: r.nsPerCall, calls: r.calls };
    }
    case "io": {
      const r = ProbeIoResultSchema.parse(json);
      return { write_mbps: r.writeMBps, read_mbps: r.readMBps };
    }
  }
}

export interface OverheadMetric {
  workload: Workload;
  metric: string;
  label: string;
  unit: string;
  direction: Direction;
}

/** One row per metric, in the order of the IBM study's table. */
export const OVERHEAD_METRICS: readonly OverheadMetric[] = [
  { workload: "cpu", metric: "ops_per_s", label: "CPU integer work", unit: "ops/s", direction: "higher" },
  { workload: "stream", metric: "triad_mbps", label: "Memory bandwidth (STREAM triad)", unit: "MB/s", direction: "higher" },
  { workload: "stream", metric: "copy_mbps", label: "Memory bandwidth (STREAM copy)", unit: "MB/s", direction: "higher" },
  { workload: "syscall", metric: "ns_per_call", label: "System call (getppid)", unit: "ns/call", direction: "lower" },
  { workload: "io", metric: "write_mbps", label: "File write + fsync (/tmp)", unit: "MB/s", direction: "higher" },
  { workload: "io", metric: "read_mbps", label: "File read back (/tmp)", unit: "MB/s", direction: "higher" },
];
