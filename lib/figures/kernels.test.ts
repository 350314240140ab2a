import { describe, expect, it } from "vitest";
import { groupByKernel, sameKernel, type KernelView } from "./kernels";

const HOST_BOOT = 1_760_000_000_000;
const host = (id: string, err = 5): KernelView => ({
  id,
  kernelRelease: "6.1.0-host",
  kernelVersion: "#1 SMP Debian",
  memTotalBytes: 24 * 2 ** 30,
  bootedAtMs: HOST_BOOT + (err > 0 ? err / 2 : 0),
  bootedAtErrorMs: err,
});
const vm = (id: string, bootedAtMs: number, err = 150): KernelView => ({
  id,
  kernelRelease: "6.1.0-56-cloud-amd64",
  kernelVersion: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1",
  memTotalBytes: 120 * 2 ** 20,
  bootedAtMs,
  bootedAtErrorMs: err,
});

describe("groupByKernel", () => {
  it("Figure 2.3: processes and containers share the host's kernel, each VM has its own", () => {
    const t = HOST_BOOT + 3_600_000;
    const groups = groupByKernel([host("host"), host("proc-a"), host("proc-b", 20), host("ct-a", 40), host("ct-b"), vm("vm-ab", t), vm("vm-c", t + 2100)]);
    expect(groups.map((g) => g.members)).toEqual([["host", "proc-a", "proc-b", "ct-a", "ct-b"], ["vm-ab"], ["vm-c"]]);
    expect(groups[1].kernelRelease).toBe("6.1.0-56-cloud-amd64");
  });

  it("the same release booted at another time is another kernel", () => {
    expect(sameKernel(vm("a", 1000, 100), vm("b", 1400, 100))).toBe(false);
    expect(sameKernel(vm("a", 1000, 100), vm("b", 1240, 100))).toBe(true);
  });

  it("a different release, build or memory total is another kernel even at the same boot time", () => {
    const a = vm("a", 1000);
    expect(sameKernel(a, { ...a, id: "b", kernelRelease: "6.2" })).toBe(false);
    expect(sameKernel(a, { ...a, id: "b", kernelVersion: "#2" })).toBe(false);
    expect(sameKernel(a, { ...a, id: "b", memTotalBytes: 1 })).toBe(false);
  });

  it("an unknown boot time never joins a group", () => {
    const a = vm("a", 1000);
    expect(sameKernel(a, { ...a, id: "b", bootedAtMs: NaN })).toBe(false);
    expect(groupByKernel([a, { ...a, id: "b", bootedAtMs: NaN }])).toHaveLength(2);
  });

  it("groups transitively and handles no views", () => {
    expect(groupByKernel([])).toEqual([]);
    const groups = groupByKernel([vm("a", 1000, 30), vm("b", 1100, 30), vm("c", 1200, 30)]);
    expect(groups.map((g) => g.members)).toEqual([["a", "b", "c"]]);
  });
});
