import { describe, expect, it } from "vitest";
import {
  GIB,
  MIB,
  UNLIMITED_HOG_HARD_CAP_MIB,
  WATCHDOG_SLACK_BYTES,
  hostReserveBytes,
  reserveRefusal,
  unlimitedHogSize,
  watchdogReason,
  type HostMemory,
} from "./memory-guard";

const host = (totalGiB: number, availableGiB: number): HostMemory => ({
  totalBytes: totalGiB * GIB,
  availableBytes: availableGiB * GIB,
  swapTotalBytes: 0,
  swapFreeBytes: 0,
});

describe("hostReserveBytes: the larger of 20 % of memory and 2 GiB", () => {
  it.each([
    [24 * GIB, 4.8 * GIB],
    [10 * GIB, 2 * GIB],
    [4 * GIB, 2 * GIB],
    [64 * GIB, 12.8 * GIB],
    [0, 2 * GIB],
    [NaN, 2 * GIB],
  ])("%d bytes → %d", (total, reserve) => {
    expect(hostReserveBytes(total)).toBeCloseTo(reserve, -1);
  });
});

describe("reserveRefusal", () => {
  it.each([
    ["plenty left", host(24, 20), 1 * GIB, false],
    ["lands exactly on the reserve", host(24, 5.8), 1 * GIB, false],
    ["one byte into the reserve", host(24, 5.8), 1 * GIB + 1, true],
    ["already inside the reserve, asking nothing", host(24, 4), 0, true],
    ["small host: 2 GiB reserve", host(4, 2.5), 600 * MIB, true],
    ["negative need counts as nothing", host(24, 20), -5 * GIB, false],
  ])("%s", (_name, h, need, refused) => {
    const r = reserveRefusal(h, need, "the next VM");
    expect(r !== null).toBe(refused);
    if (r)
      expect(r).toMatch(
        /^Refused the next VM: it needs about \d+ MiB, the host has [\d.]+ GiB available and keeps [\d.]+ GiB \(the larger of 20 % of [\d.]+ GiB and 2 GiB\) free, so only \d+ MiB may be used\.$/,
      );
  });

  it("names the numbers", () => {
    expect(reserveRefusal(host(10, 2.5), 1 * GIB, "container #7")).toBe(
      "Refused container #7: it needs about 1024 MiB, the host has 2.5 GiB available and keeps 2.0 GiB (the larger of 20 % of 10.0 GiB and 2 GiB) free, so only 512 MiB may be used.",
    );
  });

  it("refuses when memory cannot be read", () => {
    expect(reserveRefusal({ ...host(24, 20), availableBytes: NaN }, 1, "x")).toMatch(/could not be read/);
  });
});

describe("unlimitedHogSize: requested, never above the hard cap, never into the reserve", () => {
  it.each([
    ["as requested on a roomy host", host(24, 20), 1024, { mib: 1024, bound: "requested" }],
    ["the hard cap wins over a big request", host(64, 60), 100_000, { mib: UNLIMITED_HOG_HARD_CAP_MIB, bound: "hard cap" }],
    // 8 GiB available − 4.8 GiB reserve − 256 MiB margin
    ["the reserve wins on a busy host", host(24, 8), 4096, { mib: Math.floor((8 * GIB - 4.8 * GIB) / MIB) - 256, bound: "host reserve" }],
  ])("%s", (_name, h, requested, expected) => {
    expect(unlimitedHogSize(h, requested)).toEqual(expected);
  });

  it.each([
    ["no room above the reserve", host(24, 4.9)],
    ["below the reserve already", host(24, 1)],
    ["unreadable memory", { ...host(24, 20), availableBytes: NaN }],
  ])("refuses when %s", (_name, h) => {
    const r = unlimitedHogSize(h, 1024);
    expect(r).toHaveProperty("refusal");
    expect((r as { refusal: string }).refusal).toMatch(/^Refused the unlimited hog: only \d+ MiB could be taken while keeping .* free \(at least 64 MiB/);
  });

  it("refuses a request below the minimum", () => {
    expect(unlimitedHogSize(host(24, 20), 10)).toHaveProperty("refusal");
  });
});

describe("watchdogReason", () => {
  const cap = 1024 * MIB;
  const base = { capBytes: cap, availableBytes: 20 * GIB, totalBytes: 24 * GIB };
  it.each([
    ["within its cap", { ...base, usageBytes: cap }, null],
    ["within the slack", { ...base, usageBytes: cap + WATCHDOG_SLACK_BYTES }, null],
    ["over cap + slack", { ...base, usageBytes: cap + WATCHDOG_SLACK_BYTES + 1 }, /held 1088 MiB, over its hard cap of 1024 MiB/],
    ["host below its reserve", { ...base, usageBytes: 10 * MIB, availableBytes: 4 * GIB }, /available memory fell to 4.0 GiB, below its reserve of 4.8 GiB/],
  ])("%s", (_name, reading, expected) => {
    const r = watchdogReason(reading);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatch(expected);
  });
});
