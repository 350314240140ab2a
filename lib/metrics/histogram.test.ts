import { describe, expect, it } from "vitest";
import { emptyHistogram, histogramSamples, observe, STARTUP_BUCKETS_S } from "./histogram";

describe("histogram", () => {
  it("counts each value in the first bucket whose bound it does not exceed, the rest in +Inf", () => {
    const h = emptyHistogram([0.1, 1]);
    for (const v of [0.05, 0.1, 0.5, 3]) observe(h, v);
    expect(h.counts).toEqual([2, 1, 1]);
    expect(h.count).toBe(4);
    expect(h.sum).toBeCloseTo(3.65);
  });
  it("ignores values that would poison the sum", () => {
    const h = emptyHistogram([1]);
    for (const v of [NaN, -1, Infinity]) observe(h, v);
    expect(h.count).toBe(0);
  });
  it("writes cumulative buckets with le, +Inf equal to _count", () => {
    const h = emptyHistogram([0.1, 1]);
    for (const v of [0.05, 0.5, 3]) observe(h, v);
    const s = histogramSamples(h, { kind: "vm" });
    expect(s.map((x) => [x.suffix, x.labels?.le, x.value])).toEqual([
      ["_bucket", "0.1", 1],
      ["_bucket", "1", 2],
      ["_bucket", "+Inf", 3],
      ["_sum", undefined, 3.55],
      ["_count", undefined, 3],
    ]);
  });
  it("refuses bounds that do not ascend", () => expect(() => emptyHistogram([1, 1])).toThrow(/ascend/));
  it("covers container starts (tens of ms) and VM starts (seconds) with several buckets each", () => {
    expect(STARTUP_BUCKETS_S.filter((b) => b >= 0.01 && b <= 0.1).length).toBeGreaterThanOrEqual(4);
    expect(STARTUP_BUCKETS_S.filter((b) => b > 0.1 && b <= 5).length).toBeGreaterThanOrEqual(6);
  });
});
