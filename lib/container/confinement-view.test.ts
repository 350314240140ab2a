import { describe, expect, it } from "vitest";
import { confinementFromProc, CONFINEMENT_ROWS, describeCapabilities, describeSeccomp, describeUidMap } from "./confinement-view";

const status = [
  "Name:\tprobe",
  "Uid:\t700000000\t700000000\t700000000\t700000000",
  "NoNewPrivs:\t1",
  "Seccomp:\t2",
  "CapEff:\t0000000000000420",
  "CapBnd:\t0000000000000420",
].join("\n");

describe("confinementFromProc", () => {
  it("reads the fields a host-side /proc/<pid>/status and uid_map give", () => {
    expect(confinementFromProc(status, "         0  700000000      65536\n", "0 700000000 65536")).toEqual({
      uidMap: "0 700000000 65536",
      gidMap: "0 700000000 65536",
      uid: 700000000,
      seccomp: 2,
      capEff: "0000000000000420",
      capBnd: "0000000000000420",
      noNewPrivs: 1,
    });
  });
  it("leaves out what an old kernel does not print", () => {
    expect(confinementFromProc("Name:\tx\nUid:\t0\t0\t0\t0\n", "", "")).toEqual({ uid: 0 });
  });
});

describe("the words", () => {
  it.each([
    ["000001ffffffffff", "all 41"],
    ["000001fffeffffff", "all but SYS_RESOURCE (40)"],
    ["0000000000000420", "KILL, NET_BIND_SERVICE"],
    ["0000000000000000", "none"],
  ])("capabilities %s → %s", (hex, words) => expect(describeCapabilities(hex)).toBe(words));
  it("says what a uid map and a seccomp mode mean", () => {
    expect(describeUidMap("0 0 4294967295")).toMatch(/root is host root/);
    expect(describeUidMap("0 700000000 65536")).toBe("0 700000000 65536 — root is host 700000000 (65536 ids)");
    expect(describeSeccomp(2)).toBe("2 — filter");
    expect(describeSeccomp(undefined)).toBe("not reported");
    expect(CONFINEMENT_ROWS.map((r) => r.value({}))).toEqual(Array(CONFINEMENT_ROWS.length).fill("not reported"));
  });
});
