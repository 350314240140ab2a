import { describe, expect, it } from "vitest";
import { directionNote, formatIdleCpu, formatRatio, formatValue } from "./format";

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

describe("formatIdleCpu", () => {
  it.each([
    { pct: 0, res: 0.2, want: "< 0.20 %" },
    { pct: 0.4, res: 0.2, want: "0.40 %" },
    { pct: 0, res: 0, want: "0.00 %" },
    { pct: 0, res: 2e-8, want: "0.00 %" },
    { pct: 12.5, res: 0.2, want: "12.5 %" },
  ])("$pct with resolution $res → $want", ({ pct, res, want }) => expect(formatIdleCpu(pct, res)).toBe(want));
});
