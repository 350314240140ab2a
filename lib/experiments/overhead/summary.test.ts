import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "@/lib/experiments/types";
import { WORKLOAD_ARGS } from "@/lib/probe/workload-metrics";
import { summarizeOverhead } from "./summary";

let seq = 0;
const at = "2025-01-01T00:00:00.000Z";
function work(
  kind: ExperimentSample["kind"],
  sample: ExperimentSample["sample"],
  values: Record<string, number>,
  over: Partial<ExperimentSample> = {},
): ExperimentSample {
  return { seq: ++seq, kind, sample, rep: 1, warmup: false, values, takenAt: at, ...over };
}

describe("summarizeOverhead", () => {
  const samples = [
    work("process", "cpu", { ops_per_s: 100 }),
    work("process", "cpu", { ops_per_s: 120 }),
    work("container", "cpu", { ops_per_s: 99 }),
    work("vm", "cpu", { ops_per_s: 11 }, { accel: "tcg" }),
    work("process", "syscall", { ns_per_call: 200 }),
    work("container", "syscall", { ns_per_call: 220 }),
    work("vm", "syscall", { ns_per_call: 0 }, { error: "timed out", values: {} }),
    work("process", "idle", { window_ms: 5000, cpu_pct: 0, memory_bytes: 1000, pss_bytes: 1000 }),
    work("container", "idle", { window_ms: 5000, cpu_pct: 0.1, memory_bytes: 5000, cgroup_memory_bytes: 5000, pss_bytes: 900 }),
    work("vm", "idle", { window_ms: 5000, cpu_pct: 3, memory_bytes: 90000, pss_bytes: 90000 }, { accel: "tcg" }),
  ];
  const r = summarizeOverhead(samples, ["process", "container", "vm"], ["cpu", "syscall"], [], WORKLOAD_ARGS);

  it("has one row per metric of the chosen workloads, with a direction", () => {
    expect(r.rows.map((x) => [x.metric, x.direction])).toEqual([
      ["ops_per_s", "higher"],
      ["ns_per_call", "lower"],
    ]);
  });

  it.each([
    { metric: "ops_per_s", kind: "process", want: 1 },
    { metric: "ops_per_s", kind: "container", want: 99 / 110 },
    { metric: "ops_per_s", kind: "vm", want: 11 / 110 },
    { metric: "ns_per_call", kind: "container", want: 1.1 },
    { metric: "ns_per_call", kind: "vm", want: null },
  ] as const)("ratio of $metric for $kind is $want", ({ metric, kind, want }) => {
    const got = r.rows.find((x) => x.metric === metric)!.ratio[kind];
    if (want === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(want, 10);
  });

  it("reports idle cost per kind with where the memory figure comes from", () => {
    expect(r.idle.map((i) => [i.kind, i.cpuPercent, i.memoryBytes, i.memorySource, i.accel])).toEqual([
      ["process", 0, 1000, "pss", undefined],
      ["container", 0.1, 5000, "cgroup", undefined],
      ["vm", 3, 90000, "pss", "tcg"],
    ]);
  });

  it("has no ratios when the bare process was not measured", () => {
    const noBase = summarizeOverhead(samples, ["container", "vm"], ["cpu"], [], WORKLOAD_ARGS);
    expect(noBase.rows[0].ratio).toEqual({ container: null, vm: null });
  });
});
