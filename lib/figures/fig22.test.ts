import { describe, expect, it } from "vitest";
import type { Fig22Data } from "@/lib/schemas/figures";
import { barLengths, fig22Model, formatNs, layoutFig22 } from "./fig22";
import { AT, inst, MiB, payload } from "./test-fixtures";

const overhead: NonNullable<Fig22Data["overhead"]> = {
  experimentId: "x0123456789",
  at: AT,
  syscallArgs: ["200000"],
  syscall: {
    process: { medianNs: 52, p95Ns: 60, n: 3 },
    container: { medianNs: 55, p95Ns: 61, n: 3 },
    vm: { medianNs: 1300, p95Ns: 1400, n: 3 },
  },
  accel: { accel: "tcg", reason: "KVM hung at boot" },
};

function model(fig22: Partial<Fig22Data> = {}, instances = [inst("fig23-vm-c", "vm", 160 * MiB)]) {
  const p = payload();
  return fig22Model({ host: p.host, instances, fig22: { ...p.fig22, ...fig22 } });
}

describe("fig22Model", () => {
  it("labels each column's syscall hop with that kind's measured median and the hypervisor hop with the accelerator", () => {
    const m = model({ overhead, startup: { experimentId: "x1", at: AT, medianMs: { vm: 1234, container: 31 }, accel: null } });
    const [vm, ct] = m.columns;
    expect(vm.hops.map((h) => h.role)).toEqual(["app", "guest-kernel", "hypervisor", "cpu"]);
    expect(ct.hops.map((h) => h.role)).toEqual(["app", "host-kernel", "cpu"]);
    expect(vm.edges[0].label).toBe("getppid(): 1.30 µs/call · 25× bare");
    expect(ct.edges[0].label).toBe("getppid(): 55 ns/call · 1.06× bare");
    expect(vm.edges[1].label).toBe("TCG — emulated, not KVM");
    expect(vm.hops[2].sub).toBe("QEMU, TCG — emulated");
    expect(vm.hops[1].sub).toBe("6.1.0-56-cloud-amd64");
    expect(ct.hops[1].sub).toBe("6.1.0-host");
    expect([vm.title, vm.subtitle, ct.subtitle]).toEqual(["Virtual machine", "starts in 1.23 s (median)", "starts in 31 ms (median)"]);
    expect(vm.edges[0].detail).toContain("x0123456789");
    expect(m.missing).toBeNull();
    expect(m.bars.map((b) => [b.kind, b.ns])).toEqual([["process", 52], ["container", 55], ["vm", 1300]]);
  });

  it("KVM is named as hardware-assisted", () => {
    const m = model({ overhead: { ...overhead, accel: { accel: "kvm", reason: "booted" } } });
    expect(m.columns[0].hops[2].sub).toBe("QEMU, KVM — hardware-assisted");
  });

  it("without an experiment: no numbers, and what to run", () => {
    const m = model({}, []);
    expect(m.missing).toMatch(/run an overhead experiment/);
    expect(m.columns[0].edges[0].label).toBe("syscall: not measured");
    expect(m.bars.every((b) => b.ns === null && b.ratio === null)).toBe(true);
    expect(m.columns[0].hops[1].sub).toBe("the VM's own kernel");
  });

  it("a kind that was skipped has no number but the others keep theirs", () => {
    const m = model({ overhead: { ...overhead, syscall: { process: overhead.syscall.process, container: overhead.syscall.container } } });
    expect(m.bars.find((b) => b.kind === "vm")!.ns).toBeNull();
    expect(m.missing).toBeNull();
  });

  it("no bare baseline: no ratios", () => {
    const m = model({ overhead: { ...overhead, syscall: { vm: overhead.syscall.vm } } });
    expect(m.columns[0].edges[0].label).toBe("getppid(): 1.30 µs/call");
  });
});

describe("barLengths and formatNs", () => {
  it.each([
    [[52, 55, 1300], 400, [16, 16.92, 400]],
    [[null, 10, NaN], 100, [null, 100, null]],
    [[0, 0], 100, [0, 0]],
    [[], 100, []],
    [[1, 1e6], 100, [1, 100]],
  ])("barLengths(%j, %d)", (values, max, expected) => {
    const got = barLengths(values as (number | null)[], max);
    got.forEach((g, i) => (expected[i] === null ? expect(g).toBeNull() : expect(g).toBeCloseTo(expected[i]!, 1)));
  });
  it.each([
    [52.4, "52 ns"],
    [1300, "1.30 µs"],
    [45_000, "45.0 µs"],
    [2_500_000, "2.50 ms"],
    [NaN, "—"],
    [null, "—"],
  ])("formatNs(%s) = %s", (ns, text) => expect(formatNs(ns)).toBe(text));
});

describe("layoutFig22", () => {
  it.each(["wide", "narrow"] as const)("both columns end at the CPU on the same row, arrows point down, everything inside the width (%s)", (mode) => {
    const l = layoutFig22(model({ overhead }), mode);
    const cpu = l.columns.map((c) => c.boxes.find((b) => b.hop.role === "cpu")!.rect.y);
    expect(cpu[0]).toBe(cpu[1]);
    for (const c of l.columns) {
      for (const a of c.arrows) expect(a.y2).toBeGreaterThan(a.y1);
      for (const b of c.boxes) expect(b.rect.x + b.rect.w).toBeLessThanOrEqual(l.width);
    }
    for (const b of l.bars.items) expect(b.rect.x + b.rect.w).toBeLessThanOrEqual(l.width);
    expect(l.bars.items[2].rect.w).toBeGreaterThan(l.bars.items[0].rect.w * 20);
  });
  it("column titles never overlap: the start-up time is a second line cut to the column", () => {
    const m = model({ overhead, startup: { experimentId: "x1", at: AT, medianMs: { vm: 1234, container: 31 }, accel: null } });
    const l = layoutFig22(m, "narrow");
    expect(l.columns[0].subtitle).toBe("starts in 1.23 s (median)");
    expect(l.columns[1].titleX).toBeGreaterThan(l.columns[0].titleX + 180);
  });

  it("narrow puts the bars under the columns", () => {
    const l = layoutFig22(model({ overhead }), "narrow");
    expect(l.width).toBe(400);
    expect(l.bars.frame.y).toBeGreaterThan(Math.max(...l.columns.flatMap((c) => c.boxes.map((b) => b.rect.y + b.rect.h))));
    expect(l.bars.items[0].valueText).toBe("52 ns · baseline");
  });
});
