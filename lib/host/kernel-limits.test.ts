import { describe, expect, it } from "vitest";
import { countUnder, firstLimit, kernelLimitUses, limitCountText, type LimitUse } from "./kernel-limits";

const use = (id: string, limit: number, inUse: number, perInstance: number | null): LimitUse => ({ id, label: id, limit, inUse, perInstance });

describe("countUnder", () => {
  it.each([
    ["pids: 32768 − 149 at 14.4 each", use("pid_max", 32768, 149, 14.4), 2265],
    ["exactly three", use("x", 3, 0, 1), 3],
    ["a third, three times", use("x", 1, 0, 1 / 3), 3],
    ["already over the limit", use("x", 10, 12, 1), 0],
    ["takes none of it", use("x", 10, 0, 0), null],
    ["not measured", use("x", 10, 0, null), null],
    ["limit unreadable", use("x", NaN, 0, 1), null],
  ])("%s", (_name, u, count) => expect(countUnder(u).count).toBe(count));
});

describe("firstLimit", () => {
  it("is the smallest count, the first listed on a tie, null when nothing bounds", () => {
    const rows = [use("memory", 1000, 0, 2), use("isolab-instances", 500, 0, 1), use("pid_max", 32768, 149, 81.5), use("net", 96363, 5, 1)].map(countUnder);
    expect(firstLimit(rows)).toMatchObject({ id: "pid_max", count: 400 });
    expect(firstLimit([countUnder(use("a", 4, 0, 1)), countUnder(use("b", 8, 0, 2))])?.id).toBe("a");
    expect(firstLimit([countUnder(use("a", 4, 0, null))])).toBeNull();
    expect(firstLimit([])).toBeNull();
  });
});

describe("kernelLimitUses", () => {
  it("lists pids, threads and every namespace type read, with what one instance takes", () => {
    const rows = kernelLimitUses(
      { pidMax: 32768, threadsMax: 192726, threadsInUse: 149, namespaces: { net: { max: 96363, inUse: 3 }, user: { max: 96363, inUse: 1 } } },
      { tasks: 2, namespaces: { net: 1, user: 0 } },
    ).map(countUnder);
    expect(rows.map((r) => [r.id, r.count])).toEqual([
      ["pid_max", 16309],
      ["threads-max", 96288],
      ["net-namespaces", 96360],
      ["user-namespaces", null],
    ]);
    expect(limitCountText(rows[0])).toBe("pid_max: 16,309 more (32,768 − 149 in use, 2 each)");
    expect(limitCountText(rows[3])).toBe("user-namespaces: no bound (the instances take none of it)");
  });
});
