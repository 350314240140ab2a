import { describe, expect, it } from "vitest";
import { arrivalText, arrivalVerdict, summarizeWarmMemory } from "./warm-memory";

const MIB = 2 ** 20;
const reading = (kind: "vm" | "vm-warm", t: number, rssMiB: number, pssMiB = rssMiB - 20) => ({
  kind,
  accel: "tcg" as const,
  values: { t_s: t, rss_bytes: rssMiB * MIB, pss_bytes: pssMiB * MIB },
});

describe("arrivalVerdict", () => {
  it.each<[number, number, string | null]>([
    [120, 120, "all-at-once"],
    [110, 120, "all-at-once"],
    [60, 120, "as-touched"],
    [0, 0, null],
  ])("%d of %d MiB resident at first → %s", (first, last, verdict) => {
    expect(arrivalVerdict(first, last)?.verdict ?? null).toBe(verdict);
  });
});

describe("summarizeWarmMemory", () => {
  it("orders each series by time and compares the restored VM with the cold one", () => {
    const m = summarizeWarmMemory([reading("vm-warm", 1, 124), reading("vm", 0, 60), reading("vm-warm", 0, 122), reading("vm", 1, 90, 75)])!;
    expect(m.series.map((s) => [s.kind, s.points.map((p) => p.tS)])).toEqual([
      ["vm", [0, 1]],
      ["vm-warm", [0, 1]],
    ]);
    expect(m.series[1]).toMatchObject({ firstRssBytes: 122 * MIB, lastRssBytes: 124 * MIB, peakRssBytes: 124 * MIB, accel: "tcg" });
    expect(m.warmArrival?.verdict).toBe("all-at-once");
    expect(m.warmMinusColdPssBytes).toBe((104 - 75) * MIB);
    expect(m.seconds).toBe(1);
    expect(arrivalText(m)).toMatch(
      /^The restored VM held 122(\.0)? MiB resident at its first reading and 124(\.0)? MiB after 1 s \(98 % from the start\): its memory arrived all at once/,
    );
  });

  it("is null without readings, and skips failed ones", () => {
    expect(summarizeWarmMemory([])).toBeNull();
    expect(summarizeWarmMemory([{ kind: "vm", values: {} }])).toBeNull();
    const onlyCold = summarizeWarmMemory([reading("vm", 0, 60)])!;
    expect(onlyCold.warmArrival).toBeNull();
    expect(onlyCold.warmMinusColdPssBytes).toBeNull();
  });
});
