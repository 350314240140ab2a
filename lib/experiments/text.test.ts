import { describe, expect, it } from "vitest";
import type { ExperimentRecord } from "./types";
import { recordText } from "./text";

const s = (m: number) => ({ n: 5, min: m, median: m, p95: m, max: m, mean: m });
const base: Omit<ExperimentRecord, "type" | "result"> = {
  id: "x0123456789",
  status: "done",
  plan: {},
  environment: null,
  error: null,
  progress: null,
  createdAt: "",
  startedAt: null,
  finishedAt: null,
  samples: [],
};

describe("recordText", () => {
  it("prints startup medians, phases, the ratio and the accelerator beside the VM", () => {
    const text = recordText({
      ...base,
      type: "startup",
      result: {
        type: "startup",
        kinds: [
          { kind: "container", total: s(36), phases: [{ name: "runtime-run", summary: s(30) }], failures: 0 },
          { kind: "vm", accel: "tcg", total: s(1200), phases: [{ name: "kernel", summary: s(900) }], failures: 1 },
        ],
        skipped: [{ kind: "process", reason: "not asked" }],
        ratioVmToContainer: 1200 / 36,
        ratioVmToProcess: null,
        ratioContainerToProcess: null,
      },
    });
    expect(text).toContain("vm [TCG]");
    expect(text).toMatch(/container\s+5\s+36 ms\s+36 ms/);
    expect(text).toContain("vm/container (medians): 33.3×");
    expect(text).toContain("skipped process: not asked");
    expect(text).toContain("vm kernel");
  });

  it("prints the overhead table with ratios and idle cost", () => {
    const text = recordText({
      ...base,
      type: "overhead",
      result: {
        type: "overhead",
        rows: [
          {
            workload: "syscall",
            metric: "ns_per_call",
            label: "System call",
            unit: "ns/call",
            direction: "lower",
            perKind: { process: s(200), vm: s(4000) },
            ratio: { process: 1, vm: 20 },
          },
        ],
        idle: [{ kind: "vm", accel: "tcg", windowMs: 5000, cpuPercent: 3.5, cpuResolutionPercent: 0.2, memoryBytes: 100 * 2 ** 20, memorySource: "pss" }],
        skipped: [],
        workloadArgs: { cpu: [], stream: [], syscall: [], io: [] },
      },
    });
    expect(text).toContain("vm [TCG]");
    expect(text).toContain("4,000 ns/call 20.0×");
    expect(text).toMatch(/vm \[TCG\]\s+3.50 % of a core\s+100 MiB\s+pss\s+5.00 s/);
  });

  it("says when there are no results", () => {
    expect(recordText({ ...base, type: "startup", status: "failed", error: "boom", result: null })).toContain(
      "startup experiment x0123456789: failed — boom\n\nno results",
    );
  });
});
