import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "./types";
import { phaseNames, summarizeOverhead, summarizeStartup } from "./summary";
import { WORKLOAD_ARGS } from "../probe/workload-metrics";

let seq = 0;
const at = "2025-01-01T00:00:00.000Z";
function start(kind: ExperimentSample["kind"], total: number, phases: Record<string, number>, over: Partial<ExperimentSample> = {}): ExperimentSample {
  const values: Record<string, number> = { total_ms: total };
  for (const [k, v] of Object.entries(phases)) values[`phase_${k}_ms`] = v;
  return { seq: ++seq, kind, sample: "startup", rep: 1, warmup: false, values, takenAt: at, ...over };
}
function work(kind: ExperimentSample["kind"], sample: ExperimentSample["sample"], values: Record<string, number>, over: Partial<ExperimentSample> = {}): ExperimentSample {
  return { seq: ++seq, kind, sample, rep: 1, warmup: false, values, takenAt: at, ...over };
}

describe("phaseNames", () => {
  it("keeps the engine's order", () => {
    expect(phaseNames({ total_ms: 1, "phase_qemu-up_ms": 1, phase_kernel_ms: 1, phase_ready_ms: 1 })).toEqual(["qemu-up", "kernel", "ready"]);
  });
});

describe("summarizeStartup", () => {
  const samples = [
    start("process", 100, { spawn: 1, ready: 99 }, { warmup: true, rep: 0 }),
    start("process", 2, { spawn: 1, ready: 1 }),
    start("process", 4, { spawn: 1, ready: 3 }),
    start("container", 30, { "runtime-create": 20, "runtime-start": 5, ready: 5 }),
    start("container", 50, { "runtime-create": 30, "runtime-start": 10, ready: 10 }),
    start("container", 0, {}, { error: "runc failed", values: {} }),
    start("vm", 1200, { "qemu-up": 30, kernel: 1000, ready: 170 }, { accel: "tcg" }),
    start("vm", 1400, { "qemu-up": 40, kernel: 1150, ready: 210 }, { accel: "tcg" }),
  ];

  it("summarizes measured runs per kind and phase, leaving out warm-ups and failures", () => {
    const r = summarizeStartup(samples, ["process", "container", "vm"], []);
    const proc = r.kinds.find((k) => k.kind === "process")!;
    expect(proc.total).toMatchObject({ n: 2, min: 2, median: 3, max: 4 });
    const ct = r.kinds.find((k) => k.kind === "container")!;
    expect(ct.total.median).toBe(40);
    expect(ct.failures).toBe(1);
    expect(ct.phases.map((p) => [p.name, p.summary.median])).toEqual([["runtime-create", 25], ["runtime-start", 7.5], ["ready", 7.5]]);
    const vm = r.kinds.find((k) => k.kind === "vm")!;
    expect(vm.accel).toBe("tcg");
    expect(r.ratioVmToContainer).toBeCloseTo(1300 / 40, 10);
    expect(r.ratioVmToProcess).toBeCloseTo(1300 / 3, 10);
    expect(r.ratioContainerToProcess).toBeCloseTo(40 / 3, 10);
  });

  it.each([
    { kinds: ["process", "container"] as const, skipped: [], vmToCt: null },
    { kinds: ["container", "vm"] as const, skipped: [{ kind: "vm" as const, reason: "no QEMU" }], vmToCt: null },
    { kinds: ["vm", "container"] as const, skipped: [], vmToCt: 1300 / 40 },
  ])("ratio vm/container with kinds $kinds and skipped $skipped is $vmToCt", ({ kinds, skipped, vmToCt }) => {
    const r = summarizeStartup(samples, kinds, skipped);
    if (vmToCt === null) expect(r.ratioVmToContainer).toBeNull();
    else expect(r.ratioVmToContainer).toBeCloseTo(vmToCt, 10);
    expect(r.skipped).toEqual(skipped);
    expect(r.kinds.map((k) => k.kind)).toEqual(["process", "container", "vm"].filter((k) => (kinds as readonly string[]).includes(k) && !skipped.some((s) => s.kind === k)));
  });
});

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
    expect(r.rows.map((x) => [x.metric, x.direction])).toEqual([["ops_per_s", "higher"], ["ns_per_call", "lower"]]);
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
