import { describe, expect, it } from "vitest";
import type { FigureInstance } from "@/lib/schemas/figures";
import { FIG23_SCENARIO, fig23Model, layoutFig23, pickProcessNames } from "./fig23";
import { guest, hostGuest, inst, MiB, payload } from "./test-fixtures";

const boot = Date.parse("2026-01-01T11:59:00Z");

function scenario(over: Record<string, Partial<FigureInstance>> = {}): FigureInstance[] {
  return FIG23_SCENARIO.map((m, k) => {
    const base = inst(m.name, m.kind, m.kind === "vm" ? 170 * MiB : 1.1 * MiB);
    if (m.kind === "vm")
      base.guest = guest({ hostname: m.name, bootedAtMs: boot + k * 2500, processCount: 60 + k, processNames: ["sh", "probe", "kworker/0:1"] });
    else
      base.guest = hostGuest({
        hostname: m.kind === "container" ? m.name : "host",
        processCount: m.kind === "container" ? 2 : 180,
        processNames: m.kind === "container" ? ["probe"] : ["systemd", "node"],
      });
    return { ...base, ...over[m.name] };
  });
}

function input(instances: FigureInstance[]) {
  const p = payload({ instances });
  const byName = new Map(instances.map((i) => [i.name, i.id]));
  return {
    host: p.host,
    instances,
    fig23: { members: FIG23_SCENARIO.map((m) => ({ ...m, apps: [...m.apps], instanceId: byName.get(m.name) ?? null })), running: instances.length === 8 },
  };
}

describe("fig23Model", () => {
  it("draws the shared and separate kernels from what each instance saw", () => {
    const model = fig23Model(input(scenario()));
    const [bare, vms, cts] = model.panels;
    expect(bare.kernels).toEqual([
      { key: "host", label: "host kernel 6.1.0-host — shared by 3", members: ["fig23-proc-a", "fig23-proc-b", "fig23-proc-c"], sharedWithHost: true },
    ]);
    expect(cts.kernels).toHaveLength(1);
    expect(cts.kernels[0].sharedWithHost).toBe(true);
    expect(vms.kernels.map((k) => [k.members, k.label, k.sharedWithHost])).toEqual([
      [["fig23-vm-ab"], "own kernel 6.1.0-56-cloud-amd64", false],
      [["fig23-vm-c"], "own kernel 6.1.0-56-cloud-amd64", false],
    ]);
    expect(vms.layers[0].label).toBe("hypervisor: QEMU (TCG — emulated) on host kernel 6.1.0-host");
    expect(model.missing).toBeNull();
  });

  it("each box lists the kernel, the processes and the memory it reported", () => {
    const model = fig23Model(input(scenario()));
    const ct = model.panels[2].boxes[0];
    expect(ct.lines).toEqual(["fig23-ct-a (container)", "kernel 6.1.0-host", "sees 2 processes: probe", "memory: 1.1 MiB (cgroup)"]);
    const vm = model.panels[1].boxes[0];
    expect(vm.apps).toEqual(["A", "B"]);
    expect(vm.lines[3]).toBe("memory: guest 40.0 MiB · host 170 MiB");
    expect(vm.detail).toContain("probe info inside");
  });

  it("two VMs whose boots are indistinguishable would be drawn on one kernel: the facts decide, not the names", () => {
    const model = fig23Model(input(scenario({ "fig23-vm-c": { guest: guest({ hostname: "c", bootedAtMs: boot + 3 * 2500 + 10 }) } })));
    expect(model.panels[1].kernels.map((k) => k.members)).toEqual([["fig23-vm-ab", "fig23-vm-c"]]);
  });

  it("nothing launched: every box says not running and the model says what to do", () => {
    const model = fig23Model(input([]));
    expect(model.missing).toMatch(/launch it/);
    for (const p of model.panels) {
      expect(p.kernels).toEqual([]);
      for (const b of p.boxes) expect(b.lines[1]).toBe("not running");
    }
    expect(model.panels.map((p) => p.boxes.length)).toEqual([3, 2, 3]);
  });

  it("a member without facts from inside gets no kernel and says why", () => {
    const model = fig23Model(input(scenario({ "fig23-ct-b": { guest: null, guestError: "runc exec failed" } })));
    const cts = model.panels[2];
    expect(cts.boxes[1].lines[1]).toBe("runc exec failed");
    expect(cts.kernels[0].members).toEqual(["fig23-ct-a", "fig23-ct-c"]);
  });
});

describe("pickProcessNames", () => {
  it("pid 1 first, then the newest, distinct", () => {
    const ps = [
      { pid: 2, comm: "kthreadd" },
      { pid: 1, comm: "sh" },
      { pid: 70, comm: "probe" },
      { pid: 71, comm: "probe" },
      { pid: 30, comm: "kworker/0:1" },
      { pid: 10, comm: "ksoftirqd/0" },
    ];
    expect(pickProcessNames(ps, 3)).toEqual(["sh", "probe", "kworker/0:1"]);
    expect(
      pickProcessNames(
        [
          { pid: 1, comm: "systemd" },
          { pid: 900, comm: "kworker/1:1-cgroup" },
          { pid: 5, comm: "bash" },
          { pid: 300, comm: "node" },
        ],
        3,
      ),
    ).toEqual(["systemd", "node", "bash"]);
    expect(pickProcessNames([], 3)).toEqual([]);
  });
});

describe("layoutFig23", () => {
  it("wide: one row per panel; the A+B VM is twice as wide; each VM outline holds its own kernel", () => {
    const l = layoutFig23(fig23Model(input(scenario())), "wide");
    const vms = l.panels[1];
    const [ab, c] = vms.boxes.map((b) => b.rect);
    expect(ab.y).toBe(c.y);
    expect(ab.w / c.w).toBeCloseTo(2, 6);
    expect(vms.machines.map((m) => m.name)).toEqual(["fig23-vm-ab", "fig23-vm-c"]);
    for (const k of vms.kernels) {
      const m = vms.machines.find((mm) => mm.name === k.kernel.members[0])!.rect;
      expect(k.rect.y + k.rect.h).toBeLessThanOrEqual(m.y + m.h);
      expect(k.rect.x).toBeGreaterThanOrEqual(m.x);
    }
    const cts = l.panels[2];
    expect(cts.kernels).toHaveLength(1);
    expect(cts.kernels[0].rect.x).toBe(cts.boxes[0].rect.x);
    expect(cts.kernels[0].rect.x + cts.kernels[0].rect.w).toBeCloseTo(cts.boxes[2].rect.x + cts.boxes[2].rect.w, 6);
    expect(cts.machines).toEqual([]);
  });

  it("narrow: one box per row within 400 units; panels do not overlap", () => {
    const l = layoutFig23(fig23Model(input(scenario())), "narrow");
    expect(l.width).toBe(400);
    for (const p of l.panels) for (const b of p.boxes) expect(b.rect.x + b.rect.w).toBeLessThanOrEqual(400);
    const ys = l.panels[2].boxes.map((b) => b.rect.y);
    expect(ys[1]).toBeGreaterThan(ys[0]);
    for (let i = 1; i < l.panels.length; i++) expect(l.panels[i].frame.y).toBeGreaterThanOrEqual(l.panels[i - 1].frame.y + l.panels[i - 1].frame.h);
    expect(l.height).toBeGreaterThan(l.panels[2].frame.y + l.panels[2].frame.h - 1);
  });

  it("interleaved kernels in one row are stacked on separate levels", () => {
    const odd = scenario({ "fig23-ct-b": { guest: guest({ hostname: "odd", bootedAtMs: 5 }) } });
    const cts = layoutFig23(fig23Model(input(odd)), "wide").panels[2];
    expect(cts.kernels).toHaveLength(2);
    expect(cts.kernels[0].rect.y).not.toBe(cts.kernels[1].rect.y);
  });
});

describe("the app's own memory", () => {
  const standIn = { value: 900 * 1024, source: "the app alone: median host view (PSS of the probe) of 3 live bare processes", at: "2026-01-01T12:00:00.000Z" };

  it("a VM and a container show the app's own PSS from inside; a bare process's memory already is the app", () => {
    const own = { appPssBytes: 116 * 1024, appRssBytes: 120 * 1024 };
    const insts = scenario({
      "fig23-vm-c": { guest: guest({ hostname: "fig23-vm-c", ...own }) },
      "fig23-ct-a": { guest: hostGuest({ hostname: "fig23-ct-a", processCount: 2, processNames: ["probe"], ...own }) },
    });
    const model = fig23Model({ ...input(insts), fig21: { app: standIn } });
    const box = (name: string) => model.panels.flatMap((p) => p.boxes).find((b) => b.name === name)!;
    expect(box("fig23-vm-c").lines[3]).toBe("memory: guest 40.0 MiB · app 116 KiB · host 170 MiB");
    expect(box("fig23-vm-c").detail).toContain("app (the probe answering): PSS 116 KiB, RSS 120 KiB, its own reading from inside");
    expect(box("fig23-ct-a").lines[3]).toBe("memory: 1.1 MiB (cgroup) · app 116 KiB");
    expect(box("fig23-proc-a").lines[3]).toBe("memory: 1.1 MiB (PSS)");
  });

  it("without its own reading the stand-in is used and labelled an estimate; without either, nothing is claimed", () => {
    const model = fig23Model({ ...input(scenario()), fig21: { app: standIn } });
    const vm = model.panels[1].boxes.find((b) => b.name === "fig23-vm-c")!;
    expect(vm.lines[3]).toBe("memory: guest 40.0 MiB · app ≈900 KiB (est.) · host 170 MiB");
    expect(vm.detail).toContain(
      "an estimate: the app alone: median host view (PSS of the probe) of 3 live bare processes; this instance did not report its own",
    );
    const bare = fig23Model(input(scenario())).panels[1].boxes.find((b) => b.name === "fig23-vm-c")!;
    expect(bare.lines[3]).toBe("memory: guest 40.0 MiB · host 170 MiB");
  });
});
