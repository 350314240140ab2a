import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "@/lib/experiments/types";
import { phaseNames, summarizeStartup } from "./summary";

let seq = 0;
const at = "2025-01-01T00:00:00.000Z";
function start(kind: ExperimentSample["kind"], total: number, phases: Record<string, number>, over: Partial<ExperimentSample> = {}): ExperimentSample {
  const values: Record<string, number> = { total_ms: total };
  for (const [k, v] of Object.entries(phases)) values[`phase_${k}_ms`] = v;
  return { seq: ++seq, kind, sample: "startup", rep: 1, warmup: false, values, takenAt: at, ...over };
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
    expect(ct.phases.map((p) => [p.name, p.summary.median])).toEqual([
      ["runtime-create", 25],
      ["runtime-start", 7.5],
      ["ready", 7.5],
    ]);
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
    expect(r.kinds.map((k) => k.kind)).toEqual(
      ["process", "container", "vm"].filter((k) => (kinds as readonly string[]).includes(k) && !skipped.some((s) => s.kind === k)),
    );
  });
});
