import { describe, expect, it } from "vitest";
import { directionNote, experimentHeadline, formatIdleCpu, formatRatio, formatValue } from "./format";

describe("formatRatio", () => {
  it.each([
    { r: 1, want: "1.00×" },
    { r: 0.987, want: "0.99×" },
    { r: 12.345, want: "12.3×" },
    { r: 432.1, want: "432×" },
    { r: null, want: "—" },
    { r: NaN, want: "—" },
  ])("$r → $want", ({ r, want }) => expect(formatRatio(r)).toBe(want));
});

describe("formatValue", () => {
  it.each([
    { v: 597556332, unit: "ops/s", want: "597.6 M ops/s" },
    { v: 1500, unit: "ops/s", want: "1.5 k ops/s" },
    { v: 12, unit: "ops/s", want: "12 ops/s" },
    { v: 28341, unit: "MB/s", want: "28,341 MB/s" },
    { v: 195.93, unit: "ns/call", want: "196 ns/call" },
    { v: 19.59, unit: "ns/call", want: "19.6 ns/call" },
    { v: 1.234, unit: "%", want: "1.23 %" },
    { v: 35.2, unit: "ms", want: "35 ms" },
    { v: 1234, unit: "ms", want: "1.23 s" },
    { v: undefined, unit: "ms", want: "—" },
  ])("$v $unit → $want", ({ v, unit, want }) => expect(formatValue(v, unit)).toBe(want));
});

describe("directionNote", () => {
  it("says which way is better", () => {
    expect(directionNote("lower")).toMatch(/lower is better/);
    expect(directionNote("higher")).toMatch(/higher is better/);
  });
});

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
        rows: [{ workload: "cpu" as const, metric: "ops_per_s", label: "", unit: "ops/s", direction: "higher" as const, perKind: {}, ratio: { process: 1, container: 0.99, vm: 0.05 } }],
        idle: [{ kind: "vm" as const, accel: "tcg" as const, windowMs: 5000, cpuPercent: 3, cpuResolutionPercent: 0.2, memoryBytes: 1, memorySource: "pss" as const }],
        skipped: [],
        workloadArgs: { cpu: [], stream: [], syscall: [], io: [] },
      },
      want: "cpu container 0.99× · cpu vm 0.05× (TCG)",
    },
  ])("$want", ({ result, want }) => expect(experimentHeadline(result)).toBe(want));
});

describe("formatIdleCpu", () => {
  it.each([
    { pct: 0, res: 0.2, want: "< 0.20 %" },
    { pct: 0.4, res: 0.2, want: "0.40 %" },
    { pct: 0, res: 0, want: "0.00 %" },
    { pct: 0, res: 2e-8, want: "0.00 %" },
    { pct: 12.5, res: 0.2, want: "12.5 %" },
  ])("$pct with resolution $res → $want", ({ pct, res, want }) => expect(formatIdleCpu(pct, res)).toBe(want));
});
