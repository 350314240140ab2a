import { describe, expect, it } from "vitest";
import {
  cpuPercent,
  kernelStructuresBytes,
  parseKbLines,
  parseKernelMemory,
  parseLoadavgThreads,
  parseMeminfo,
  parseProcStat,
  parseProcStatCpu,
  parseSmapsRollup,
  procCpuNs,
} from "./procfs";

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

const QEMU_STAT =
  "4242 (qemu-system-x86) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 4 0 987654 1500000000 30000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
const WEIRD_COMM = "77 (a) b (c)) R 1 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 42 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";

describe("parseProcStat", () => {
  it.each([
    {
      text: QEMU_STAT,
      want: { pid: 4242, comm: "qemu-system-x86", state: "S", utimeTicks: 1234, stimeTicks: 567, numThreads: 4, startTicks: 987654, rssPages: 30000 },
    },
    { text: WEIRD_COMM, want: { pid: 77, comm: "a) b (c)", state: "R", utimeTicks: 5, stimeTicks: 6, numThreads: 1, startTicks: 42, rssPages: 10 } },
  ])("$want.comm", ({ text, want }) => expect(parseProcStat(text)).toEqual(want));

  it.each(["", "12 no parens", "1 (x) S 1"])("refuses %j", (text) => expect(() => parseProcStat(text)).toThrow());
});

describe("parseSmapsRollup", () => {
  const text = `55d0c0000000-7ffd5f7fe000 ---p 00000000 00:00 0                          [rollup]
Rss:              131072 kB
Pss:               98765 kB
Pss_Anon:          90000 kB
Shared_Clean:        100 kB
`;
  it("reads Rss and Pss in bytes", () => expect(parseSmapsRollup(text)).toEqual({ rssBytes: 131072 * 1024, pssBytes: 98765 * 1024 }));
  it("reads the shared-memory part of the PSS when the kernel splits it (a templated clone's share of its template)", () =>
    expect(parseSmapsRollup(`${text}Pss_Shmem:          8765 kB\n`)).toEqual({ rssBytes: 131072 * 1024, pssBytes: 98765 * 1024, pssShmemBytes: 8765 * 1024 }));
  it("refuses text without Pss", () => expect(() => parseSmapsRollup("Rss: 1 kB\n")).toThrow(/Pss/));
});

describe("cpuPercent", () => {
  it.each([
    { prev: 0, next: 1e9, ms: 1000, want: 100 },
    { prev: 0, next: 5e7, ms: 5000, want: 1 },
    { prev: 2e9, next: 2e9, ms: 5000, want: 0 },
    { prev: 3e9, next: 1e9, ms: 1000, want: 0 },
  ])("$prev → $next ns over $ms ms = $want %", ({ prev, next, ms, want }) => expect(cpuPercent(prev, next, ms)).toBeCloseTo(want, 10));
  it("is NaN over no time", () => expect(cpuPercent(0, 1, 0)).toBeNaN());
});

describe("parseKernelMemory", () => {
  const FULL = `MemTotal:       24684084 kB
MemAvailable:   24187804 kB
Slab:             180244 kB
SReclaimable:     120000 kB
SUnreclaim:        60244 kB
KernelStack:        4512 kB
PageTables:         6120 kB
Percpu:             2976 kB
`;
  it.each([
    [
      "a 5.x/6.x host",
      FULL,
      {
        slabBytes: 180244 * 1024,
        sReclaimableBytes: 120000 * 1024,
        sUnreclaimBytes: 60244 * 1024,
        pageTablesBytes: 6120 * 1024,
        kernelStackBytes: 4512 * 1024,
        percpuBytes: 2976 * 1024,
      },
    ],
    [
      "a kernel without Percpu",
      "Slab: 100 kB\nSReclaimable: 60 kB\nSUnreclaim: 40 kB\nKernelStack: 8 kB\nPageTables: 4 kB\n",
      { slabBytes: 102400, sReclaimableBytes: 61440, sUnreclaimBytes: 40960, pageTablesBytes: 4096, kernelStackBytes: 8192, percpuBytes: 0 },
    ],
  ])("%s", (_name, text, want) => expect(parseKernelMemory(text)).toEqual(want));
  it("refuses a meminfo without Slab", () => expect(() => parseKernelMemory(MEMINFO)).toThrow(/Slab/));
  it("sums the kernel structures (Slab already holds SReclaimable and SUnreclaim)", () => {
    expect(kernelStructuresBytes(parseKernelMemory(FULL))).toBe((180244 + 6120 + 4512 + 2976) * 1024);
  });
});

describe("parseLoadavgThreads", () => {
  it.each([
    ["2.64 3.03 6.51 4/149 8029\n", 149],
    ["0.00 0.01 0.05 1/1234 99", 1234],
  ])("%j → %d", (text, n) => expect(parseLoadavgThreads(text)).toBe(n));
  it.each(["", "1 2 3"])("refuses %j", (t) => expect(() => parseLoadavgThreads(t)).toThrow());
});
