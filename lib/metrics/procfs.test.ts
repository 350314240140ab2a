import { describe, expect, it } from "vitest";
import { parseKbLines, parseMeminfo, parseProcStatCpu, procCpuNs } from "./procfs";

// Fixtures copied from a Debian 12 host.
const MEMINFO = `MemTotal:       24684084 kB
MemFree:        23678604 kB
MemAvailable:   24187804 kB
Buffers:           42156 kB
HugePages_Total:       0
`;

describe("procCpuNs", () => {
  it.each([
    [{ utimeTicks: 151, stimeTicks: 34 }, 1.85e9],
    [{ utimeTicks: 0, stimeTicks: 0 }, 0],
  ])("%j → %d ns", (stat, ns) => expect(procCpuNs(stat)).toBe(ns));
});

describe("kB files", () => {
  it("parseMeminfo gives bytes", () => {
    expect(parseMeminfo(MEMINFO)).toEqual({ MemTotal: 24684084 * 1024, MemFree: 23678604 * 1024, MemAvailable: 24187804 * 1024 });
  });
  it("parseKbLines reads smaps_rollup lines and skips the header", () => {
    expect(parseKbLines("55e8-7ffe ---p 00000000 00:00 0   [rollup]\nRss:  1728 kB\nPss:   256 kB\n")).toEqual({ Rss: 1728 * 1024, Pss: 256 * 1024 });
  });
  it("parseKbLines keeps unitless counts as they are", () => expect(parseKbLines(MEMINFO).HugePages_Total).toBe(0));
});

describe("parseProcStatCpu", () => {
  it.each([
    { text: "cpu  38061 0 7208 86596 3151 0 95 181 0 0\ncpu0 1 2 3 4", total: 38061 + 7208 + 86596 + 3151 + 95 + 181, idle: 86596 + 3151 },
    { text: "cpu  10 0 10 80\n", total: 100, idle: 80 },
  ])("totals $text", ({ text, total, idle }) => expect(parseProcStatCpu(text)).toEqual({ totalTicks: total, idleTicks: idle }));
  it.each(["", "cpu0 1 2 3 4", "cpu  a b c d"])("refuses %j", (t) => expect(() => parseProcStatCpu(t)).toThrow());
});
