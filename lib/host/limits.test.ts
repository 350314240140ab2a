import { describe, expect, it } from "vitest";
import { limitRefusal, defaultLimits } from "./limits";

describe("defaultLimits", () => {
  it("gives half the host memory and 16 instances per CPU, within bounds", () => {
    expect(defaultLimits(24_000, 2)).toEqual({ maxInstances: 32, maxMemoryMiB: 12_000 });
    expect(defaultLimits(256, 1)).toEqual({ maxInstances: 16, maxMemoryMiB: 256 });
    expect(defaultLimits(1_000_000, 64)).toEqual({ maxInstances: 64, maxMemoryMiB: 500_000 });
  });
});

describe("limitRefusal", () => {
  const limits = { maxInstances: 3, maxMemoryMiB: 512 };
  it("accepts what fits exactly", () => {
    expect(limitRefusal({ instances: 2, memoryMiB: 384 }, 128, limits)).toBeNull();
  });
  it("names the instance cap", () => {
    expect(limitRefusal({ instances: 3, memoryMiB: 0 }, 128, limits)).toMatch(/Instance cap reached: 3 of 3/);
  });
  it("names the memory cap with what is left", () => {
    expect(limitRefusal({ instances: 1, memoryMiB: 448 }, 128, limits)).toMatch(/128 MiB asked, 64 MiB of the 512 MiB/);
  });
});
