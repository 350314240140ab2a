import { describe, expect, it } from "vitest";
import { experimentHeadline, experimentRole, planLine, planShort } from "./registry";

describe("experimentHeadline", () => {
  const s = (median: number) => ({ n: 5, min: median, median, p95: median, max: median, mean: median });
  it.each([
    { result: null, want: "" },
    {
      result: {
        type: "startup" as const,
        kinds: [
          { kind: "process" as const, total: s(3), phases: [], failures: 0 },
          { kind: "container" as const, total: s(36), phases: [], failures: 0 },
          { kind: "vm" as const, accel: "tcg" as const, total: s(1200), phases: [], failures: 0 },
        ],
        skipped: [],
        ratioVmToContainer: 1200 / 36,
        ratioVmToProcess: 400,
        ratioContainerToProcess: 12,
      },
      want: "process 3.0 ms · container 36 ms · vm 1.20 s (TCG) · vm/container 33.3×",
    },
    {
      result: {
        type: "overhead" as const,
        rows: [
          {
            workload: "cpu" as const,
            metric: "ops_per_s",
            label: "",
            unit: "ops/s",
            direction: "higher" as const,
            perKind: {},
            ratio: { process: 1, container: 0.99, vm: 0.05 },
          },
        ],
        idle: [
          {
            kind: "vm" as const,
            accel: "tcg" as const,
            windowMs: 5000,
            cpuPercent: 3,
            cpuResolutionPercent: 0.2,
            memoryBytes: 1,
            memorySource: "pss" as const,
          },
        ],
        skipped: [],
        workloadArgs: { cpu: [], stream: [], syscall: [], io: [] },
      },
      want: "cpu container 0.99× · cpu vm 0.05× (TCG)",
    },
  ])("$want", ({ result, want }) => expect(experimentHeadline(result)).toBe(want));
});

describe("plan lines", () => {
  it("show an unknown (stored, older) type as its name", () => {
    expect(planLine("startup-v0", {})).toBe("startup-v0");
    expect(planShort("startup-v0", {})).toBe("startup-v0");
  });

  it("describe each type's plan through its folder", () => {
    expect(planLine("startup", { runs: 5, warmup: true })).toBe("5 cold starts per kind after one warm-up each");
    expect(planShort("overhead", { reps: 3 })).toBe("3 reps");
    expect(planLine("density", { max: 20 })).toBe("up to 20 per kind");
  });
});

describe("experimentRole", () => {
  it("lets operators start runs, and only admins one that changes the host's KSM for everyone", () => {
    expect(experimentRole("startup")).toBe("operator");
    expect(experimentRole("hostile")).toBe("operator");
    expect(experimentRole("ksm")).toBe("admin");
  });
});
