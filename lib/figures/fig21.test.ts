import { describe, expect, it } from "vitest";
import type { FigureInstance } from "@/lib/schemas/figures";
import { fig21Model, layoutFig21, type Fig21Input } from "./fig21";
import { GiB, MiB, inst, payload, AT } from "./test-fixtures";
import { area } from "./geometry";

const m = (value: number, source = "fixture") => ({ value, source, at: AT });

function input(instances: FigureInstance[], over: Partial<Fig21Input["fig21"]> = {}): Fig21Input {
  const p = payload({ instances });
  return { host: p.host, instances, fig21: { ...p.fig21, ...over } };
}

const scenario = [
  inst("fig23-vm-ab", "vm", 170 * MiB),
  inst("fig23-vm-c", "vm", 160 * MiB),
  inst("fig23-ct-a", "container", 1.2 * MiB),
  inst("fig23-ct-b", "container", 1.1 * MiB),
  inst("fig23-ct-c", "container", 1.3 * MiB),
  inst("fig23-proc-a", "process", 0.9 * MiB),
];

describe("fig21Model", () => {
  it("host OS is used memory minus every instance; each host's free is total − host OS − its instances", () => {
    const model = fig21Model(input(scenario));
    const all = (170 + 160 + 1.2 + 1.1 + 1.3 + 0.9) * MiB;
    expect(model.hostOsBytes).toBeCloseTo(6 * GiB - all, 0);
    const [vmHost, ctHost] = model.hosts;
    expect(vmHost.instanceBytes).toBe(330 * MiB);
    expect(vmHost.freeBytes).toBeCloseTo(24 * GiB - model.hostOsBytes - 330 * MiB, 0);
    expect(ctHost.instanceBytes).toBeCloseTo(3.6 * MiB, 0);
    expect(vmHost.boxes.map((b) => b.role)).toEqual(["host-os", "vm", "vm", "free"]);
    expect(ctHost.boxes.map((b) => b.role)).toEqual(["host-os", "container", "container", "container", "free"]);
    for (const h of model.hosts) expect(h.boxes.reduce((a, b) => a + b.bytes, 0)).toBeCloseTo(24 * GiB, 0);
  });

  it("splits a VM into guest OS, app and QEMU from the guest view, the host view and the app alone", () => {
    const model = fig21Model(input(scenario, { app: m(0.9 * MiB, "PSS of fig23-proc-a") }));
    const vm = model.hosts[0].boxes[1];
    expect(vm.children!.map((c) => [c.role, c.bytes / MiB])).toEqual([
      ["guest-os", 39.1],
      ["app", 0.9],
      ["vmm", 130],
    ]);
    expect(vm.children!.reduce((a, c) => a + c.bytes, 0)).toBeCloseTo(vm.bytes, 6);
    expect(vm.children![1].detail).toContain("PSS of fig23-proc-a");
  });

  it("the app is the VM's own reading from inside when it gave one; the bare process stands in only without it, as an estimate", () => {
    const own = scenario.map((i) => (i.kind === "vm" && i.guest ? { ...i, guest: { ...i.guest, appPssBytes: 0.5 * MiB } } : i));
    const ownVm = fig21Model(input(own, { app: m(0.9 * MiB, "PSS of fig23-proc-a") })).hosts[0].boxes[1];
    const ownApp = ownVm.children!.find((c) => c.role === "app")!;
    expect([ownApp.label, ownApp.bytes / MiB]).toEqual(["app", 0.5]);
    expect(ownApp.detail).toContain("the app's own PSS inside (smaps_rollup)");
    expect(ownVm.children!.reduce((a, c) => a + c.bytes, 0)).toBeCloseTo(ownVm.bytes, 6);
    // Its own reading needs no stand-in at all.
    expect(fig21Model(input(own)).hosts[0].boxes[1].children!.map((c) => c.label)).toEqual(["guest OS", "app", "QEMU + untouched-by-guest"]);
    const est = fig21Model(input(scenario, { app: m(0.9 * MiB, "PSS of fig23-proc-a") })).hosts[0].boxes[1].children!.find((c) => c.role === "app")!;
    expect(est.label).toBe("app (estimate)");
    expect(est.detail).toMatch(/an estimate: the same probe outside this VM \(PSS of fig23-proc-a/);
  });

  it("without the app alone, the guest view stays one part and says so", () => {
    const vm = fig21Model(input(scenario)).hosts[0].boxes[1];
    expect(vm.children!.map((c) => c.label)).toEqual(["guest OS + app", "QEMU + untouched-by-guest"]);
  });

  it("a guest that counts more than the host pays is scaled to the host view, with a note", () => {
    const vm = inst("v", "vm", 30 * MiB);
    const model = fig21Model(input([vm]));
    const kids = model.hosts[0].boxes[1].children!;
    expect(kids.reduce((a, c) => a + c.bytes, 0)).toBeCloseTo(30 * MiB, 3);
    expect(model.notes.join()).toContain("scaled");
  });

  it("a VM whose guest view is missing is one part naming why", () => {
    const vm = inst("v", "vm", 150 * MiB, { guest: null, guestError: "agent timed out" });
    const kids = fig21Model(input([vm])).hosts[0].boxes[1].children!;
    expect(kids).toHaveLength(1);
    expect(kids[0].detail).toContain("agent timed out");
  });

  it("room for N more divides each host's free memory by the per-instance figure", () => {
    const model = fig21Model(input(scenario, { marginal: { basis: "live", vm: m(165 * MiB), container: m(1.2 * MiB) } }));
    const [vmHost, ctHost] = model.hosts;
    expect(vmHost.room.count).toBe(Math.floor(vmHost.freeBytes / (165 * MiB)));
    expect(ctHost.room.count).toBe(Math.floor(ctHost.freeBytes / (1.2 * MiB)));
    expect(ctHost.room.count! / vmHost.room.count!).toBeGreaterThan(100);
    expect(vmHost.roomBasis).toContain("165 MiB per VM");
  });

  it("a density run's first limit beyond memory caps room for N more and is named", () => {
    const cap = { id: "isolab-instances", label: "Isolab's instance cap (ISOLAB_MAX_INSTANCES)", count: 400 };
    const firstLimit = { vm: { id: "isolab-memory", label: "Isolab's memory cap", count: 1000 }, container: cap };
    const model = fig21Model(
      input(scenario, {
        marginal: { basis: "density", experimentId: "x1", vm: m(165 * MiB, "density x1"), container: m(2.4 * MiB, "density x1"), firstLimit },
      }),
    );
    const [vmHost, ctHost] = model.hosts;
    // Three containers run, and two VMs and a bare process: the cap counts all six, so it leaves 394; memory alone would leave thousands.
    expect(ctHost.room.count).toBe(394);
    expect(ctHost.roomLabel).toBe("room for 394 more containers");
    expect(ctHost.roomBasis).toBe(
      "first limit: Isolab's instance cap (ISOLAB_MAX_INSTANCES) (400 in all, 6 live instances of every kind), before memory; 2.4 MiB per container: density x1",
    );
    expect(vmHost.room.count).toBe(Math.floor(vmHost.freeBytes / (165 * MiB)));
    expect(vmHost.roomBasis).toMatch(/^first limit: memory \(then Isolab's memory cap at 1,000\); 165 MiB per VM: density x1$/);
  });

  it("no instances: the hosts are host OS and free, and room is unknown with a reason", () => {
    const model = fig21Model(input([]));
    expect(model.blocked).toBeNull();
    for (const h of model.hosts) {
      expect(h.boxes.map((b) => b.role)).toEqual(["host-os", "free"]);
      expect(h.room.count).toBeNull();
      expect(h.roomLabel).toContain("no per-instance footprint");
      expect(h.roomBasis).toContain("launch instances");
    }
  });

  it("a footprint larger than the free memory leaves room for 0", () => {
    const model = fig21Model(input([], { marginal: { basis: "live", vm: m(30 * GiB), container: m(1) } }));
    expect(model.hosts[0].room.count).toBe(0);
    expect(model.hosts[0].roomLabel).toBe("room for 0 more VMs");
  });

  it.each([
    ["zero memory", 0, 0],
    ["NaN total", NaN, 1],
    ["NaN available", 24 * GiB, NaN],
  ])("blocked when the host's memory is unusable: %s", (_, total, avail) => {
    const p = payload();
    const model = fig21Model({ host: { memTotal: m(total), memAvailable: m(avail) }, instances: scenario, fig21: p.fig21 });
    expect(model.blocked).toMatch(/not been measured/);
    expect(model.hosts).toEqual([]);
    expect(layoutFig21(model, "wide").hosts).toEqual([]);
  });

  it("unsampled and stopped instances are left out; unsampled ones are named", () => {
    const model = fig21Model(input([inst("new", "container", null), inst("old", "vm", 100 * MiB, { state: "stopped" })]));
    expect(model.hosts[0].boxes.map((b) => b.role)).toEqual(["host-os", "free"]);
    expect(model.notes).toEqual(["not sampled yet, left out: new"]);
  });

  it("more used than the host has clamps instead of drawing negative free space", () => {
    const model = fig21Model({ ...input([inst("huge", "vm", 30 * GiB)]) });
    expect(model.hosts[0].freeBytes).toBe(0);
    expect(model.hostOsBytes).toBe(0);
  });
});

describe("layoutFig21", () => {
  it.each(["wide", "narrow"] as const)("cell areas are proportional to bytes (%s)", (mode) => {
    const model = fig21Model(input(scenario, { app: m(0.9 * MiB) }));
    const layout = layoutFig21(model, mode);
    for (const h of layout.hosts) {
      for (const c of h.cells) expect(area(c.rect) / area(h.area)).toBeCloseTo(c.box.bytes / h.host.totalBytes, 9);
      const vm = h.cells.find((c) => c.box.role === "vm");
      if (vm && !vm.enlarged) {
        const kids = vm.children.reduce((a, c) => a + area(c.rect), 0);
        expect(kids).toBeCloseTo((vm.drawn.w - 4) * (vm.drawn.h - 4), 6);
        vm.children.forEach((c) => expect(area(c.rect) / kids).toBeCloseTo(c.box.bytes / vm.box.bytes, 9));
      }
    }
  });

  it("tiny containers are drawn at a visible minimum and flagged as enlarged", () => {
    const layout = layoutFig21(fig21Model(input(scenario)), "wide");
    const cts = layout.hosts[1].cells.filter((c) => c.box.role === "container");
    expect(cts).toHaveLength(3);
    for (const c of cts) {
      expect(c.enlarged).toBe(true);
      expect(c.drawn.w).toBeGreaterThanOrEqual(3);
    }
  });

  it("the insets share one scale: the VMs' region is to the containers' as their bytes", () => {
    const layout = layoutFig21(fig21Model(input(scenario)), "wide");
    const [vm, ct] = layout.hosts.map((h) => area(h.inset.region));
    expect(vm / ct).toBeCloseTo(330 / 3.6, 3);
    expect(layout.magnification).toBeGreaterThan(10);
  });

  it("wide puts the hosts side by side, narrow stacks them within 400 units", () => {
    const model = fig21Model(input(scenario));
    const wide = layoutFig21(model, "wide");
    expect(wide.hosts[0].frame.y).toBe(wide.hosts[1].frame.y);
    const narrow = layoutFig21(model, "narrow");
    expect(narrow.width).toBe(400);
    expect(narrow.hosts[1].frame.y).toBeGreaterThan(narrow.hosts[0].frame.y + narrow.hosts[0].frame.h - 1);
    for (const h of narrow.hosts) expect(h.frame.x + h.frame.w).toBeLessThanOrEqual(400);
  });

  it("no instances: no magnification and empty inset regions", () => {
    const layout = layoutFig21(fig21Model(input([])), "wide");
    expect(layout.magnification).toBeNull();
    for (const h of layout.hosts) expect(area(h.inset.region)).toBe(0);
  });

  it("labels only where they fit; the free cell carries the room text", () => {
    const model = fig21Model(input(scenario, { marginal: { basis: "live", vm: m(165 * MiB), container: m(1.2 * MiB) } }));
    const free = layoutFig21(model, "wide").hosts[0].cells.find((c) => c.box.role === "free")!;
    expect(free.lines[0]).toBe("free");
    expect(free.lines.at(-1)).toMatch(/^room for \d+ more VMs$/);
  });
});
