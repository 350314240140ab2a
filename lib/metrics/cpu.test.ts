import { describe, expect, it } from "vitest";
import { hostCpuPercent, instanceCpuPercent } from "./cpu";

describe("instanceCpuPercent", () => {
  it.each([
    { prev: { cpuNs: 0, mono: 0 }, next: 1e9, mono: 1000, expected: 100 },
    { prev: { cpuNs: 5e9, mono: 10 }, next: 5.25e9, mono: 1010, expected: 25 },
    { prev: { cpuNs: 0, mono: 0 }, next: 3e9, mono: 1500, expected: 200 },
    { prev: { cpuNs: 1e9, mono: 0 }, next: 1e9, mono: 1000, expected: 0 },
    { prev: { cpuNs: 2e9, mono: 0 }, next: 1e9, mono: 1000, expected: null }, // counter went back
    { prev: { cpuNs: 0, mono: 5 }, next: 1e9, mono: 5, expected: null }, // no time passed
    { prev: undefined, next: 1e9, mono: 1000, expected: null }, // first reading
  ])("$prev → $next ns at $mono ms = $expected %", ({ prev, next, mono, expected }) => {
    const p = instanceCpuPercent(prev, next, mono);
    if (expected === null) expect(p).toBeNull();
    else expect(p).toBeCloseTo(expected, 9);
  });
});

describe("hostCpuPercent", () => {
  it.each([
    { prev: { totalTicks: 1000, idleTicks: 800 }, next: { totalTicks: 1200, idleTicks: 950 }, expected: 25 },
    { prev: { totalTicks: 1000, idleTicks: 800 }, next: { totalTicks: 1200, idleTicks: 1000 }, expected: 0 },
    { prev: { totalTicks: 1000, idleTicks: 800 }, next: { totalTicks: 1000, idleTicks: 800 }, expected: null },
    { prev: { totalTicks: 1000, idleTicks: 800 }, next: { totalTicks: 1100, idleTicks: 700 }, expected: null },
  ])("$prev → $next = $expected", ({ prev, next, expected }) => {
    const p = hostCpuPercent(prev, next);
    if (expected === null) expect(p).toBeNull();
    else expect(p).toBeCloseTo(expected, 9);
  });
});
