import { describe, expect, it } from "vitest";
import type { Fig22Data } from "@/lib/schemas/figures";
import { barLengths, fig22Model, formatNs, layoutFig22, syscallPathText, wrapText } from "./fig22";
import { fig22Caption } from "./captions";
import { textWidth } from "./geometry";
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
    expect(m.bars.map((b) => [b.kind, b.ns])).toEqual([
      ["process", 52],
      ["container", 55],
      ["vm", 1300],
    ]);
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

// The run Figure 2.2 once drew as "0.57× bare" with nothing beside it: a guest booted
// with mitigations=off under TCG, on a host that has them on.
const vmFaster: NonNullable<Fig22Data["overhead"]> = {
  ...overhead,
  syscall: { process: { medianNs: 1070, p95Ns: 1100, n: 3 }, container: { medianNs: 1090, p95Ns: 1120, n: 3 }, vm: { medianNs: 610, p95Ns: 650, n: 3 } },
  mitigations: { host: "on", hostSummary: "on: spectre_v2 (Retpolines)", guest: "off" },
};

describe("a VM syscall faster than bare metal", () => {
  it("never stands without its reason: a mark on the number, the reason in its detail, under the bars and in the caption", () => {
    const m = model({ overhead: vmFaster });
    expect(m.vmFaster).toBe(
      "VM faster than the bare process: under TCG the guest's syscall never enters the host kernel, so it skips the host's entry and exit costs; the guest kernel ran with mitigations=off while the host's are on. Not a negative cost of isolation.",
    );
    const vmCall = m.columns[0].edges[0];
    expect(vmCall.label).toBe("getppid(): 610 ns/call · 0.57× bare *");
    expect(vmCall.detail).toContain(m.vmFaster!);
    expect(m.bars.find((b) => b.kind === "vm")!.detail).toContain(m.vmFaster!);
    for (const mode of ["wide", "narrow"] as const) {
      const l = layoutFig22(m, mode);
      expect(l.bars.items[2].valueText).toBe("610 ns · 0.57× bare *");
      expect(l.bars.notes[0].text).toMatch(/^\* VM faster than the bare process: under TCG/);
      expect(l.bars.notes.map((n) => n.text).join(" ")).toBe(`* ${m.vmFaster} ${m.mitigations}`);
      // Inside the frame, below the bars, one under the other.
      for (const n of l.bars.notes) {
        expect(textWidth(n.text, 11)).toBeLessThanOrEqual(l.bars.frame.w);
        expect(n.y).toBeGreaterThan(Math.max(...l.bars.items.map((b) => b.rect.y + b.rect.h)));
        expect(n.y).toBeLessThanOrEqual(l.bars.frame.y + l.bars.frame.h);
      }
      expect(l.bars.notes.map((n) => n.y)).toEqual([...l.bars.notes.map((n) => n.y)].sort((a, b) => a - b));
      expect(l.height).toBeGreaterThanOrEqual(l.bars.frame.y + l.bars.frame.h);
    }
    const p = payload();
    const c = fig22Caption({ ...p, fig22: { ...p.fig22, overhead: vmFaster } }, Date.parse(AT));
    expect(c.text).toContain(m.vmFaster!);
    expect(c.text).toContain("No VM exit, no host kernel entry");
  });

  it("a run that did not record mitigations says the guest then booted with them off", () => {
    const { mitigations: _, ...old } = vmFaster;
    const m = model({ overhead: old });
    expect(m.vmFaster).toContain("the guest's mitigations were not recorded, and runs from before they matched the host's booted guests with mitigations=off");
    expect(m.mitigations).toBe("Mitigations were not recorded by this run; before Isolab matched them to the host's, guests booted with mitigations=off.");
    expect(
      layoutFig22(m, "wide")
        .bars.notes.map((n) => n.text)
        .join(" "),
    ).toContain(m.mitigations);
  });

  it("under KVM with matching mitigations the reason is the guest kernel's own path, not TCG", () => {
    const m = model({ overhead: { ...vmFaster, accel: { accel: "kvm", reason: "booted" }, mitigations: { ...vmFaster.mitigations!, guest: "auto" } } });
    expect(m.vmFaster).toMatch(/guest kernel's own syscall path/);
    expect(m.vmFaster).not.toMatch(/TCG/);
  });

  it("a VM slower than bare metal carries no mark and no reason", () => {
    const m = model({ overhead: { ...overhead, mitigations: vmFaster.mitigations } });
    expect(m.vmFaster).toBeNull();
    expect(m.columns[0].edges[0].label).toBe("getppid(): 1.30 µs/call · 25× bare");
    const l = layoutFig22(m, "wide");
    expect(l.bars.items[2].valueText).toBe("1.30 µs · 25× bare");
    expect(l.bars.notes.map((n) => n.text).join(" ")).toBe(m.mitigations);
  });
});

describe("what a syscall crosses, and each side's mitigations", () => {
  it("shows each kernel's mitigation state on its hop and in words", () => {
    const m = model({ overhead: vmFaster });
    expect(m.columns[0].hops[1].sub).toBe("6.1.0-56-cloud-amd64 · mitigations=off");
    expect(m.columns[1].hops[1].sub).toBe("6.1.0-host · mitigations on");
    expect(m.columns[1].hops[1].detail).toContain("on: spectre_v2 (Retpolines)");
    expect(m.mitigations).toBe("Mitigations: host (bare process, container) on: spectre_v2 (Retpolines); VM guest kernel booted with mitigations=off.");
    const auto = model({ overhead: { ...vmFaster, mitigations: { ...vmFaster.mitigations!, guest: "auto" } } });
    expect(auto.columns[0].hops[1].sub).toBe("6.1.0-56-cloud-amd64 · mitigations=auto");
  });

  it.each([
    ["tcg", /never leaves QEMU's translated code.*No VM exit, no host kernel entry/],
    ["kvm", /without a VM exit; the hypervisor is on the path only for instructions that exit/],
    [null, /neither exits to the hypervisor/],
  ] as const)("under %s", (accel, text) => {
    expect(syscallPathText(accel)).toMatch(text);
  });

  it("the TCG hop from the guest kernel to QEMU says there is no VM exit", () => {
    const m = model({ overhead });
    expect(m.columns[0].edges[1].detail).toMatch(/^TCG: QEMU translates .*No VM exit, no host kernel entry/);
    expect(m.path).toBe(syscallPathText("tcg"));
  });

  it.each([
    ["a b c", 1000, ["a b c"]],
    ["aaa bbb ccc", textWidth("aaa bbb", 11), ["aaa bbb", "ccc"]],
    ["", 100, []],
  ])("wrapText(%j)", (text, px, lines) => {
    expect(wrapText(text, px)).toEqual(lines);
  });
});
