import { describe, expect, it } from "vitest";
import { appFootprint, hostMemoryFact, liveMarginals } from "./memory-facts";
import { inst, MiB } from "./test-fixtures";

describe("hostMemoryFact", () => {
  const sample = {
    t: Date.parse("2026-01-01T12:00:00Z"),
    cpuPercent: 1,
    cpuSeconds: 1,
    memoryHostBytes: 170 * MiB,
    rssBytes: 1,
    hostThreads: 1,
    hostProcesses: 1,
  };
  it("names the host view of the kind and the sample's time", () => {
    expect(hostMemoryFact({ kind: "vm", pid: 42 }, sample)).toEqual({
      value: 170 * MiB,
      source: "PSS of QEMU (pid 42), sampler",
      at: "2026-01-01T12:00:00.000Z",
    });
    expect(hostMemoryFact({ kind: "container", pid: 42 }, sample)!.source).toBe("cgroup memory usage, sampler");
  });
  it("is null without a usable sample", () => {
    expect(hostMemoryFact({ kind: "vm" }, undefined)).toBeNull();
    expect(hostMemoryFact({ kind: "vm" }, { ...sample, memoryHostBytes: NaN })).toBeNull();
  });
});

describe("liveMarginals and appFootprint", () => {
  const instances = [
    inst("vm-1", "vm", 170 * MiB),
    inst("vm-2", "vm", 150 * MiB),
    inst("vm-3", "vm", 999 * MiB, { state: "stopped" }),
    inst("ct-1", "container", 1 * MiB),
    inst("ct-2", "container", null),
    inst("p-1", "process", 0.8 * MiB),
  ];
  it("medians the live, sampled instances of each kind and says so", () => {
    const m = liveMarginals(instances);
    expect(m.basis).toBe("live");
    expect(m.vm!.value).toBe(160 * MiB);
    expect(m.vm!.source).toBe("median host view (PSS of QEMU) of 2 live VMs (vm-1, vm-2), no density experiment");
    expect(m.container!.value).toBe(1 * MiB);
  });
  it("none without instances", () => {
    expect(liveMarginals([])).toEqual({ basis: "none", vm: null, container: null });
    expect(appFootprint([])).toBeNull();
  });
  it("the app alone is the bare process, else a container", () => {
    expect(appFootprint(instances)!.value).toBe(0.8 * MiB);
    expect(appFootprint(instances)!.source).toBe("the app alone: median host view (PSS of the probe) of 1 live bare process (p-1)");
    expect(appFootprint(instances.filter((i) => i.kind !== "process"))!.value).toBe(1 * MiB);
  });
});
