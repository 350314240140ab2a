import { describe, expect, it } from "vitest";
import { empiricalCdf, mean, median, percentile, ratio, summarize } from "./stats";

describe("percentile (linear between closest ranks)", () => {
  it.each([
    { xs: [5], p: 50, want: 5 },
    { xs: [5], p: 95, want: 5 },
    { xs: [1, 2], p: 50, want: 1.5 },
    { xs: [3, 1, 2], p: 50, want: 2 },
    { xs: [1, 2, 3, 4], p: 50, want: 2.5 },
    { xs: [1, 2, 3, 4, 5], p: 0, want: 1 },
    { xs: [1, 2, 3, 4, 5], p: 100, want: 5 },
    { xs: [1, 2, 3, 4, 5], p: 95, want: 4.8 },
    { xs: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], p: 95, want: 95.5 },
    { xs: [2, 2, 2], p: 95, want: 2 },
    { xs: [1, NaN, 3], p: 50, want: 2 },
  ])("p$p of $xs is $want", ({ xs, p, want }) => {
    expect(percentile(xs, p)).toBeCloseTo(want, 10);
  });

  it("is NaN for no samples", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([NaN])).toBeNaN();
  });

  it("refuses p outside 0..100", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });

  it("does not reorder its input", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe("summarize", () => {
  it.each([
    { xs: [], want: { n: 0, min: NaN, median: NaN, p95: NaN, max: NaN, mean: NaN } },
    { xs: [4], want: { n: 1, min: 4, median: 4, p95: 4, max: 4, mean: 4 } },
    { xs: [30, 10, 20], want: { n: 3, min: 10, median: 20, p95: 29, max: 30, mean: 20 } },
    { xs: [1, Infinity, 3], want: { n: 2, min: 1, median: 2, p95: 2.9, max: 3, mean: 2 } },
  ])("$xs", ({ xs, want }) => {
    const got = summarize(xs);
    for (const [k, v] of Object.entries(want)) {
      if (Number.isNaN(v)) expect(got[k as keyof typeof got]).toBeNaN();
      else expect(got[k as keyof typeof got]).toBeCloseTo(v, 10);
    }
  });
  it("mean of nothing is NaN", () => expect(mean([])).toBeNaN());
});

describe("ratio", () => {
  it.each([
    { a: 10, b: 5, want: 2 },
    { a: 1, b: 4, want: 0.25 },
    { a: 1, b: 0, want: null },
    { a: undefined, b: 3, want: null },
    { a: 3, b: NaN, want: null },
  ])("$a / $b = $want", ({ a, b, want }) => {
    expect(ratio(a, b)).toBe(want);
  });
});

describe("empiricalCdf", () => {
  it.each([
    { xs: [], want: [] },
    {
      xs: [2, 1],
      want: [
        { value: 1, fraction: 0.5 },
        { value: 2, fraction: 1 },
      ],
    },
    {
      xs: [1, 1, 3, 2],
      want: [
        { value: 1, fraction: 0.5 },
        { value: 2, fraction: 0.75 },
        { value: 3, fraction: 1 },
      ],
    },
  ])("$xs", ({ xs, want }) => {
    expect(empiricalCdf(xs)).toEqual(want);
  });
});
