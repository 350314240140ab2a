import { describe, expect, it } from "vitest";
import type { Fig24Data, FigureImage } from "@/lib/schemas/figures";
import { fig24Model, layoutFig24 } from "./fig24";
import { AT, inst, MiB, payload } from "./test-fixtures";

const probe: FigureImage = {
  name: "probe:latest",
  sizeBytes: 2094080,
  files: null,
  layers: 1,
  digest: "sha256:68dee71bc8852167c6408e42004acb91b07985dee7a1ccdead1a25847c1ddb02",
  origin: "built",
  createdAt: AT,
  problem: null,
  instanceIds: ["container-fig23-ct-a", "vm-fig23-vm-c", "vm-gone", "container-a", "vm-b", "process-c"],
  source: "OCI image store",
  at: AT,
};

function data(over: Partial<Fig24Data> = {}): Fig24Data {
  return { ...payload().fig24, images: [probe], ...over };
}

describe("fig24Model", () => {
  it("lists images with size, layers, origin and digest, and links every running instance to the image the store names", () => {
    const instances = [inst("fig23-ct-a", "container", 1.1 * MiB), inst("fig23-vm-c", "vm", 160 * MiB), inst("gone", "vm", null, { state: "stopped" })];
    const m = fig24Model({ instances, fig24: data() });
    expect(m.images[0].lines).toEqual(["probe:latest", "2.0 MiB · 1 layer", "built", "sha256:68dee71bc885"]);
    expect(m.instances.map((i) => [i.instance.name, i.imageName])).toEqual([
      ["fig23-ct-a", "probe:latest"],
      ["fig23-vm-c", "probe:latest"],
    ]);
    expect(m.instances[1].lines[1]).toBe("VM from probe:latest · 160 MiB");
    expect(m.registry).toEqual({ running: false, lines: ["Registry", "no registry running"], detail: "no registry running" });
    expect(m.missing).toBeNull();
  });

  it("a stopped registry says so first, then why", () => {
    const m = fig24Model({
      instances: [],
      fig24: data({ registry: { running: false, mode: "stopped", url: null, repositories: [], note: "stopped by Isolab", at: AT } }),
    });
    expect(m.registry.detail).toBe("no registry running (stopped by Isolab)");
  });

  it("an instance whose image is not in the store has no link and says so", () => {
    const m = fig24Model({ instances: [inst("x", "container", 1, { image: "other" })], fig24: data() });
    expect(m.instances[0].imageName).toBeNull();
    expect(m.instances[0].detail).toContain("not in the local store");
  });

  it("no images: what to run", () => {
    expect(fig24Model({ instances: [], fig24: data({ images: [] }) }).missing).toMatch(/npm run setup/);
    expect(fig24Model({ instances: [], fig24: data({ images: [], imagesNote: "store unreadable" }) }).missing).toBe("store unreadable");
  });

  it("layers, an incomplete build and a running registry are shown", () => {
    const m = fig24Model({
      instances: [],
      fig24: data({
        images: [{ ...probe, layers: 1, files: 288, problem: "initramfs.cpio is missing" }],
        registry: {
          running: true,
          mode: "managed",
          url: "http://127.0.0.1:5000",
          repositories: ["probe:latest", "app:1", "app:2", "app:3"],
          note: "Isolab's registry",
          at: AT,
        },
      }),
    });
    expect(m.images[0].lines).toEqual(["probe:latest", "2.0 MiB · 1 layer · 288 files", "incomplete: initramfs.cpio is missing", "sha256:68dee71bc885"]);
    expect(m.registry.lines).toEqual(["Registry", "http://127.0.0.1:5000", "4 tags: probe:latest, app:1, app:2, …"]);
    expect(m.registry.detail).toBe("Isolab's registry; holds probe:latest, app:1, app:2, app:3");
  });
});

describe("layoutFig24", () => {
  const instances = [inst("a", "container", 1), inst("b", "vm", 1), inst("c", "process", 1)];
  it.each(["wide", "narrow"] as const)("one link per instance with a stored image, boxes inside the width (%s)", (mode) => {
    const l = layoutFig24(fig24Model({ instances, fig24: data() }), mode);
    expect(l.links).toHaveLength(3);
    for (const link of l.links) expect(link.d).toMatch(/^M[\d.]+ [\d.]+ C/);
    for (const r of [l.registry.rect, ...l.images.map((i) => i.rect), ...l.instances.map((i) => i.rect)]) expect(r.x + r.w).toBeLessThanOrEqual(l.width);
    expect(l.registryLink).toBeNull();
  });
  it.each(["wide", "narrow"] as const)("a running registry is linked to the store (%s)", (mode) => {
    const fig24 = data({ registry: { running: true, mode: "managed", url: "http://127.0.0.1:5000", repositories: [], note: "", at: AT } });
    const l = layoutFig24(fig24Model({ instances, fig24 }), mode);
    expect(l.registryLink!.d).toMatch(/^M[\d.]+ [\d.]+ L/);
    expect(l.registryLink!.labelX).toBeLessThan(l.width);
  });
  it("narrow stacks registry, store and instances", () => {
    const l = layoutFig24(fig24Model({ instances, fig24: data() }), "narrow");
    expect(l.store.frame.y).toBeGreaterThan(l.registry.rect.y + l.registry.rect.h);
    expect(l.instancesFrame.frame.y).toBeGreaterThan(l.store.frame.y + l.store.frame.h);
    expect(l.height).toBeGreaterThan(l.instancesFrame.frame.y + l.instancesFrame.frame.h);
  });
  it("no instances and no images still lay out empty frames", () => {
    const l = layoutFig24(fig24Model({ instances: [], fig24: data({ images: [] }) }), "wide");
    expect(l.images).toEqual([]);
    expect(l.store.frame.h).toBeGreaterThan(0);
  });
});
