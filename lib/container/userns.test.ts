import { describe, expect, it } from "vitest";
import { chooseRange, DEFAULT_RANGE, describeIdMap, parseSubIds } from "./userns";

describe("chooseRange", () => {
  it("takes isolab's line, 65536 ids of it", () => {
    const e = parseSubIds("alice:100000:65536\nisolab:231072:131072\n");
    expect(chooseRange(e, "/etc/subuid")).toEqual({ ok: true, range: { start: 231072, count: 65536 }, source: "subid" });
  });
  it("falls back to the default range when no one holds it", () => {
    expect(chooseRange(parseSubIds("alice:100000:65536\n# x\n"), "/etc/subuid")).toEqual({ ok: true, range: DEFAULT_RANGE, source: "default" });
  });
  it("refuses a default range someone else holds, naming them and the fix", () => {
    const r = chooseRange(parseSubIds(`bob:${DEFAULT_RANGE.start + 10}:10\n`), "/etc/subgid");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/\/etc\/subgid gives bob .* add a line "isolab:<start>:65536"/);
  });
  it("refuses a line that maps host root, and ignores one too short", () => {
    expect(chooseRange(parseSubIds("isolab:0:65536\n"), "/etc/subuid").ok).toBe(false);
    expect(chooseRange(parseSubIds("isolab:100000:10\n"), "/etc/subuid")).toMatchObject({ ok: true, source: "default" });
  });
});

describe("describeIdMap", () => {
  it("reads the kernel's uid_map", () => {
    expect(describeIdMap("         0  700000000      65536\n")).toEqual([{ inside: 0, outside: 700000000, count: 65536 }]);
    expect(describeIdMap("         0          0 4294967295\n")).toEqual([{ inside: 0, outside: 0, count: 4294967295 }]);
  });
});
