import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Instance } from "@/lib/core/types";
import { ConflictError } from "@/server/errors";
import { createOciStore } from "./oci-store";

// The store owns the "image in use" rule: remove() itself refuses an image a
// live instance runs from, whoever calls it (a route, the CLI). No image tool
// runs here: the layout is an empty one, as `umoci init` leaves it.

let root: string;
let indexJson: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-oci-store-"));
  const layout = path.join(root, "oci");
  fs.mkdirSync(path.join(layout, "blobs", "sha256"), { recursive: true });
  fs.writeFileSync(path.join(layout, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  indexJson = path.join(layout, "index.json");
  fs.writeFileSync(indexJson, JSON.stringify({ schemaVersion: 2, manifests: [] }));
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const instance = (over: Partial<Instance>): Instance => ({
  id: "i1",
  name: "c1",
  kind: "container",
  image: "hello:1",
  state: "running",
  memoryMiB: 64,
  cpus: 1,
  createdAt: "2026-12-01T00:00:00.000Z",
  ...over,
});

const storeWith = (instances?: Instance[]) => createOciStore({ root, builtProbe: async () => null, ...(instances ? { liveInstances: () => instances } : {}) });

describe("remove refuses an image in use", () => {
  it("with a 409 ConflictError naming every live instance that runs from it, and changes nothing", async () => {
    const before = fs.readFileSync(indexJson, "utf8");
    const store = storeWith([
      instance({}),
      instance({ id: "i2", name: "v1", kind: "vm", state: "creating" }),
      instance({ id: "i3", name: "old", state: "stopped" }),
      instance({ id: "i4", name: "other", image: "hello:2" }),
    ]);
    const err = await store.remove("hello:1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ name: "ImageInUseError", status: 409, details: { code: "ImageInUseError", instances: ["container c1", "vm v1"] } });
    expect((err as Error).message).toMatch(/"hello:1" is in use by container c1, vm v1/);
    expect(fs.readFileSync(indexJson, "utf8")).toBe(before);
  });

  it("whatever spelling the instance was created with", async () => {
    const store = storeWith([instance({ image: "hello" })]);
    await expect(store.remove("hello:latest")).rejects.toMatchObject({ name: "ImageInUseError", details: { instances: ["container c1"] } });
  });

  it("but not for instances that have ended, nor by default (a tool that runs none)", async () => {
    for (const store of [storeWith([instance({ state: "stopped" }), instance({ id: "i2", name: "c2", state: "failed" })]), storeWith()]) {
      // Past the rule, the catalog answers: this layout holds no such image.
      await expect(store.remove("hello:1")).rejects.toMatchObject({ name: "ImageNotFoundError", status: 404 });
    }
  });

  it("asks for the instances at each removal, not once", async () => {
    let running: Instance[] = [];
    const store = createOciStore({ root, builtProbe: async () => null, liveInstances: () => running });
    await expect(store.remove("hello:1")).rejects.toMatchObject({ name: "ImageNotFoundError" });
    running = [instance({})];
    await expect(store.remove("hello:1")).rejects.toMatchObject({ name: "ImageInUseError" });
  });
});
