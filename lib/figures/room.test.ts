import { describe, expect, it } from "vitest";
import { firstLimitWords, liveFootprint, roomForMore, roomText, roomWithin } from "./room";

const MiB = 2 ** 20;

describe("roomForMore", () => {
  it.each([
    ["20 GiB free, 170 MiB VMs", 20 * 1024 * MiB, 170 * MiB, 120],
    ["20 GiB free, 1.2 MiB containers", 20 * 1024 * MiB, 1.2 * MiB, 17066],
    ["exactly three", 3 * MiB, MiB, 3],
    ["a third, three times (rounding)", 1, 1 / 3, 3],
    ["footprint larger than free", 100 * MiB, 170 * MiB, 0],
    ["nothing free", 0, MiB, 0],
  ])("%s", (_, free, per, count) => {
    const r = roomForMore(free, per);
    expect(r.count).toBe(count);
  });

  it.each([
    ["free NaN", NaN, MiB, "free memory not measured"],
    ["free negative", -1, MiB, "free memory not measured"],
    ["free missing", undefined, MiB, "free memory not measured"],
    ["no instances (no footprint)", MiB, null, "no per-instance footprint measured yet"],
    ["footprint NaN", MiB, NaN, "no per-instance footprint measured yet"],
    ["footprint infinite", MiB, Infinity, "no per-instance footprint measured yet"],
    ["zero footprint", MiB, 0, "the measured footprint is zero, which cannot be divided into"],
    ["zero memory host, zero footprint", 0, 0, "the measured footprint is zero, which cannot be divided into"],
  ])("degenerate: %s → no number, a reason", (_, free, per, reason) => {
    expect(roomForMore(free, per)).toEqual({ count: null, reason });
  });

  it("roomText says the count or why there is none", () => {
    expect(roomText(roomForMore(3, 1), "VM")).toBe("room for 3 more VMs");
    expect(roomText(roomForMore(1, 1), "VM")).toBe("room for 1 more VM");
    expect(roomText(roomForMore(1, null), "container")).toBe("room for ? more containers — no per-instance footprint measured yet");
  });
});

describe("liveFootprint", () => {
  it("is the median of usable readings", () => {
    expect(liveFootprint([3, 1, 2])).toEqual({ bytes: 2, n: 3 });
    expect(liveFootprint([3, NaN, null, undefined, 0, 1])).toEqual({ bytes: 2, n: 2 });
  });
  it("is null without instances or readings", () => {
    expect(liveFootprint([])).toBeNull();
    expect(liveFootprint([0, NaN, -1])).toBeNull();
  });
});

describe("roomWithin", () => {
  const cap = { id: "isolab-instances", label: "Isolab's instance cap", count: 400 };
  it.each([
    ["memory allows more than the cap: the cap minus the live ones", 20 * 1024 * MiB, 2 * MiB, 10, 390, true],
    ["memory allows fewer: memory stays first", 100 * MiB, 2 * MiB, 10, 50, false],
    ["more live than the cap allows: none", 20 * 1024 * MiB, 2 * MiB, 500, 0, true],
  ])("%s", (_, free, per, live, count, limited) => {
    const r = roomWithin(roomForMore(free, per), cap, live);
    expect(r.count).toBe(count);
    expect(r.count !== null && r.limitedBy !== undefined).toBe(limited);
  });
  it("leaves a room without a number or without a limit as it is", () => {
    expect(roomWithin(roomForMore(1, null), cap, 0)).toEqual(roomForMore(1, null));
    expect(roomWithin(roomForMore(3, 1), null, 0)).toEqual(roomForMore(3, 1));
  });
  it("names the first limit", () => {
    expect(firstLimitWords(roomWithin(roomForMore(20 * 1024 * MiB, MiB), cap, 0), cap)).toBe("first limit: Isolab's instance cap (400 in all), before memory");
    expect(firstLimitWords(roomWithin(roomForMore(100 * MiB, MiB), cap, 0), cap)).toBe("first limit: memory (then Isolab's instance cap at 400)");
    expect(firstLimitWords(roomForMore(100 * MiB, MiB), null)).toBe("first limit: memory");
    expect(firstLimitWords(roomForMore(1, null), cap)).toBe("");
  });
});
