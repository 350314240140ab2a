import { describe, expect, it } from "vitest";
import recorded from "@/lib/experiments/density/recorded-run.json";
import type { ExperimentListItem } from "@/lib/experiments/types";
import type { Fig21Templated, FigureInstance } from "@/lib/schemas/figures";
import { fig21Caption } from "./captions";
import { densityTemplated } from "./experiment-facts";
import { fig21Model, layoutFig21, type Fig21Host, type Fig21Input } from "./fig21";
import { area } from "./geometry";
import { AT, GiB, inst, MiB, NO_TEMPLATED, payload } from "./test-fixtures";

// Figure 2.1's templated host: the template's file once, each clone's own
// cost (PSS − Pss_Shmem), the pool, free, and room from a measured per-clone cost.

const m = (value: number, source = "fixture") => ({ value, source, at: AT });
const FILE = "/dev/shm/isolab-36cb8ef736-c1d52a0ec7d9.ram";
/** A clone whose PSS (57.5 MiB) holds half of a 75 MiB template file beside its own 20 MiB. */
const clone = (name: string, own = 20 * MiB, over: Partial<FigureInstance> = {}): FigureInstance =>
  inst(name, "vm", 57.5 * MiB, {
    startMode: "template",
    clone: { ramFile: FILE, private: m(own, `PSS − Pss_Shmem of ${name}`), pssBytes: own + 37.5 * MiB, shareOfTemplateBytes: 37.5 * MiB },
    ...over,
  });
const liveFile = { path: FILE, deleted: false, sizeBytes: 128 * MiB, resident: m(75 * MiB, "st_blocks of the file"), clones: 2 };

const cold = [inst("cold-a", "vm", 150 * MiB), inst("ct-a", "container", 1 * MiB)];

function input(instances: FigureInstance[], templated: Fig21Templated, densityAvailable = true): Fig21Input {
  const p = payload({ instances });
  return { host: p.host, instances, fig21: { ...p.fig21, densityAvailable, templated } };
}
const third = (h: Fig21Host[]) => h.find((x) => x.kind === "vm-template")!;
const sum = (h: Fig21Host) => h.boxes.reduce((a, b) => a + b.bytes, 0);

describe("fig21Model: the templated host", () => {
  const live = input([...cold, clone("tpl-a"), clone("tpl-b", 24 * MiB)], {
    files: [liveFile],
    pool: { waiting: 1, private: m(18 * MiB, "pool") },
    density: null,
  });
  const model = fig21Model(live);
  const host = third(model.hosts);

  it("draws host OS, the template file once, each clone's own cost, the pool and free — summing to the host", () => {
    expect(model.hosts.map((h) => h.kind)).toEqual(["vm", "container", "vm-template"]);
    expect(host.title).toBe("Host running templated VMs (2)");
    expect(host.boxes.map((b) => [b.role, b.label])).toEqual([
      ["host-os", "host OS + other processes"],
      ["template", "template RAM file"],
      ["clone", "tpl-a"],
      ["clone", "tpl-b"],
      ["pool", "warm pool (1 waiting)"],
      ["free", "free"],
    ]);
    expect(host.boxes.filter((b) => b.role === "template")).toHaveLength(1);
    expect(sum(host)).toBeCloseTo(24 * GiB, 0);
    for (const h of model.hosts) expect(sum(h)).toBeCloseTo(24 * GiB, 0);
  });

  it("never counts the template twice: clones are their own cost, not their PSS, and the host OS leaves out the file, the clones and the pool", () => {
    expect(host.instanceBytes).toBe((75 + 20 + 24 + 18) * MiB);
    // Used 6 GiB (24 − 18 available) = host OS + cold VM + container + the templated VMs' memory counted once.
    expect(model.hostOsBytes).toBeCloseTo(6 * GiB - (150 + 1 + 75 + 20 + 24 + 18) * MiB, 0);
    expect(host.boxes.find((b) => b.id === "host-os")!.detail).toContain("templated VMs' 137 MiB among them");
    const a = host.boxes.find((b) => b.label === "tpl-a")!;
    expect(a.bytes).toBe(20 * MiB);
    expect(a.detail).toMatch(
      /^tpl-a \(template start\): 20\.0 MiB of its own = PSS − Pss_Shmem of tpl-a at .*; maps isolab-36cb8ef736-c1d52a0ec7d9\.ram; its PSS, 57\.5 MiB, also holds 37\.5 MiB of the template file, which is drawn once on its own$/,
    );
    expect(host.boxes[1].detail).toContain("counted once — 2 running clones map it copy-on-write");
  });

  it("clones are not VMs of the VM host, nor its per-VM footprint", () => {
    const vmHost = model.hosts[0];
    expect(vmHost.boxes.filter((b) => b.role === "vm").map((b) => b.label)).toEqual(["cold-a"]);
    expect(vmHost.instanceBytes).toBe(150 * MiB);
  });

  it("room for N more divides free memory by the measured per-clone cost: the live clones' median own cost without a density run", () => {
    expect(host.room.count).toBe(Math.floor(host.freeBytes / (22 * MiB)));
    expect(host.roomLabel).toBe(`room for ${host.room.count} more templated VMs`);
    expect(host.roomBasis).toBe("22.0 MiB per templated VM: median own cost (PSS − Pss_Shmem) of 2 live clones, no density run with vm-template");
  });

  it("without a run of their own, the VMs' first limit caps the clones too (the same caps), and says whose it is", () => {
    const cap = { id: "isolab-instances", label: "Isolab's instance cap", count: 5 };
    const capped = input([...cold, clone("tpl-a"), clone("tpl-b")], { files: [liveFile], pool: null, density: null });
    capped.fig21.marginal = { basis: "density", experimentId: "xv", vm: m(150 * MiB), container: null, firstLimit: { vm: cap, container: null } };
    const h = third(fig21Model(capped).hosts);
    // Two clones, a cold VM and a container are live: the cap of 5 leaves 1.
    expect(h.room.count).toBe(1);
    expect(h.roomBasis).toMatch(
      /^first limit: Isolab's instance cap \(5 in all, 4 live instances of every kind\), before memory \(the VMs' run: clones count against the same caps\); 20\.0 MiB per templated VM: /,
    );
  });

  it("a clone whose own cost could not be read is left out and named, on no host", () => {
    const unread = clone("tpl-c", 0, { clone: null });
    const mm = fig21Model(input([...cold, clone("tpl-a"), unread], { files: [liveFile], pool: null, density: null }));
    expect(mm.notes).toContain("templated VMs whose own cost could not be read (their RAM file or Pss_Shmem), left out: tpl-c");
    expect(mm.hosts.flatMap((h) => h.boxes).some((b) => b.label === "tpl-c")).toBe(false);
    expect(third(mm.hosts).title).toBe("Host running templated VMs (1)");
  });
});

describe("fig21Model: the templated host from a real density run (recorded on this host)", () => {
  const run = recorded as unknown as ExperimentListItem;
  const density = densityTemplated([run])!;
  const model = fig21Model(input(cold, { files: [], pool: null, density }));
  const host = third(model.hosts);

  it("with nothing templated running, the run's template file is the host's one template box, said to be the run's", () => {
    expect(host.boxes.map((b) => b.role)).toEqual(["host-os", "template", "free"]);
    expect(host.boxes[1].label).toBe("template RAM file (density run)");
    expect(host.boxes[1].bytes).toBe(density.templateFile!.value);
    expect(host.boxes[1].detail).toContain("not on the tmpfs now — a host of templated VMs pays it once, before the first clone");
    expect(sum(host)).toBeCloseTo(24 * GiB, 0);
  });

  it("room divides by the run's marginal per clone, capped by its first limit beyond memory, and names both", () => {
    const per = density.perClone.value;
    const byMemory = Math.floor(host.freeBytes / per);
    // The run's first limit is Isolab's instance cap: the cold VM and the container live now take from it.
    expect(density.firstLimit!.id).toBe("isolab-instances");
    expect(host.room.count).toBe(Math.min(byMemory, density.firstLimit!.count - cold.length));
    expect(host.roomBasis).toContain(`per templated VM: ${density.perClone.source}`);
    expect(host.roomBasis).toMatch(/^first limit: /);
  });

  it("a run from before the file was recorded: no template box, and a note that the room leaves it out", () => {
    const mm = fig21Model(input(cold, { files: [], pool: null, density: { ...density, templateFile: null } }));
    expect(third(mm.hosts).boxes.map((b) => b.role)).toEqual(["host-os", "free"]);
    expect(mm.notes.join()).toMatch(/the template's RAM file was not measured \(density run x\w+ is from before it was recorded\)/);
  });
});

describe("fig21Model without templated VMs", () => {
  it("draws two hosts and says how to get the third", () => {
    const model = fig21Model(input(cold, NO_TEMPLATED));
    expect(model.hosts.map((h) => h.kind)).toEqual(["vm", "container"]);
    expect(model.notes).toContain(
      "no templated VMs: launch VMs with start mode template, or run the density experiment with vm-template, to draw a host of them",
    );
    expect(fig21Model(input(cold, NO_TEMPLATED, false)).notes).toEqual([]);
  });
});

describe("Figure 2.1's caption and layout with templated VMs", () => {
  const instances = [...cold, clone("tpl-a"), clone("tpl-b")];
  const p = payload({ instances, fig21: { ...payload().fig21, templated: { files: [liveFile], pool: null, density: null } } });

  it("the caption says the file is counted once, by which measures, and what clones give up", () => {
    const text = fig21Caption(p, Date.parse(AT)).text;
    expect(text).toContain("the template's RAM file is counted once, by what tmpfs holds for it (st_blocks)");
    expect(text).toContain("each clone by its PSS less its share of that file (Pss_Shmem), so no page is counted twice");
    expect(text).toContain("its page cache, its kernel's random state at save time and any secret it held");
    expect(fig21Caption(payload({ instances: cold }), Date.parse(AT)).text).not.toContain("Templated VMs");
  });

  it.each(["wide", "narrow"] as const)("lays out three hosts to scale, the template and clones in the inset (%s)", (mode) => {
    const layout = layoutFig21(fig21Model(p), mode);
    expect(layout.hosts).toHaveLength(3);
    const h = layout.hosts[2];
    for (const c of h.cells) expect(area(c.rect) / area(h.area)).toBeCloseTo(c.box.bytes / h.host.totalBytes, 9);
    expect(h.inset.cells.map((c) => c.box.role)).toEqual(["template", "clone", "clone"]);
    for (const x of layout.hosts) expect(x.frame.x + x.frame.w).toBeLessThanOrEqual(layout.width);
  });
});
