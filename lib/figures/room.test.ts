import { describe, expect, it } from "vitest";
import { capUsage, firstLimitWords, liveFootprint, roomForMore, roomText, roomWithin } from "./room";

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

describe("capUsage", () => {
  it("counts what Isolab's caps count: every live instance (creating, running, stopping) of every kind, and the memory granted them", () => {
    const at = (state: string, memoryMiB = 128) => ({ state, memoryMiB });
    expect(capUsage([at("running"), at("creating", 256), at("stopping", 64), at("stopped"), at("exited"), at("failed")])).toEqual({
      instances: 3,
      memoryMiB: 448,
    });
    expect(capUsage([])).toEqual({ instances: 0, memoryMiB: 0 });
  });
});

describe("roomWithin", () => {
  const cap = { id: "isolab-instances", label: "Isolab's instance cap", count: 400 };
  const taken = (mine: number, instances = mine, memoryMiB = 0) => ({ mine, caps: { instances, memoryMiB } });
  it.each([
    ["memory allows more than the cap: the cap minus the live ones", 20 * 1024 * MiB, 2 * MiB, 10, 390, true],
    ["memory allows fewer: memory stays first", 100 * MiB, 2 * MiB, 10, 50, false],
    ["more live than the cap allows: none", 20 * 1024 * MiB, 2 * MiB, 500, 0, true],
  ])("%s", (_, free, per, live, count, limited) => {
    const r = roomWithin(roomForMore(free, per), cap, taken(live));
    expect(r.count).toBe(count);
    expect(r.count !== null && r.limitedBy !== undefined).toBe(limited);
  });

  it("Isolab's instance cap: every live instance counts against it, not only the host's own kind", () => {
    // 10 of this kind live, 25 in all (the other kinds' too): 375 left, not 390.
    const r = roomWithin(roomForMore(20 * 1024 * MiB, 2 * MiB), cap, taken(10, 25));
    expect(r.count).toBe(375);
    expect(firstLimitWords(r, cap)).toBe("first limit: Isolab's instance cap (400 in all, 25 live instances of every kind), before memory");
  });

  it("Isolab's memory cap: the memory granted to every live instance counts, at the run's memory per instance", () => {
    const memCap = { id: "isolab-memory", label: "Isolab's memory cap", count: 32, limit: 4096, perInstance: 128 };
    // 1 GiB granted to live instances of any kind and size: (4096 − 1024) / 128 = 24 more.
    const r = roomWithin(roomForMore(20 * 1024 * MiB, 2 * MiB), memCap, taken(2, 5, 1024));
    expect(r.count).toBe(24);
    expect(firstLimitWords(r, memCap)).toBe("first limit: Isolab's memory cap (32 in all, 1,024 MiB granted to live instances), before memory");
    // Without the run's numbers, every live instance is taken as one of the run's size.
    expect(roomWithin(roomForMore(20 * 1024 * MiB, 2 * MiB), { ...memCap, limit: undefined }, taken(2, 5, 1024)).count).toBe(27);
  });

  it("a kernel limit is counted in this kind's instances: only this kind's live ones are taken from it", () => {
    const pids = { id: "pid_max", label: "/proc/sys/kernel/pid_max", count: 100 };
    const r = roomWithin(roomForMore(20 * 1024 * MiB, 2 * MiB), pids, taken(10, 25));
    expect(r.count).toBe(90);
    expect(firstLimitWords(r, pids)).toBe("first limit: /proc/sys/kernel/pid_max (100 in all, 10 live of this kind), before memory");
  });

  it("leaves a room without a number or without a limit as it is", () => {
    expect(roomWithin(roomForMore(1, null), cap, taken(0))).toEqual(roomForMore(1, null));
    expect(roomWithin(roomForMore(3, 1), null, taken(0))).toEqual(roomForMore(3, 1));
  });
  it("names the first limit", () => {
    expect(firstLimitWords(roomWithin(roomForMore(20 * 1024 * MiB, MiB), cap, taken(0)), cap)).toBe(
      "first limit: Isolab's instance cap (400 in all, 0 live instances of every kind), before memory",
    );
    expect(firstLimitWords(roomWithin(roomForMore(100 * MiB, MiB), cap, taken(0)), cap)).toBe("first limit: memory (then Isolab's instance cap at 400)");
    expect(firstLimitWords(roomForMore(100 * MiB, MiB), null)).toBe("first limit: memory");
    expect(firstLimitWords(roomForMore(1, null), cap)).toBe("");
  });
});
