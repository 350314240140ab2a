import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidRequestError, MissingDependencyError, NotFoundError } from "@/server/errors";
import { createImageStore } from "./store";

// A fake data directory laid out the way build-image.sh and setup-kernel.sh
// leave it, including the versioned build behind the `probe` symlink.
let data: string;
let store: ReturnType<typeof createImageStore>;

const CPIO = Buffer.from("070701 fake cpio");
const meta = (over: object = {}) => ({
  name: "probe",
  builtAt: "2026-11-29T01:20:51Z",
  sizeBytes: CPIO.length,
  files: 3,
  sha256: "0".repeat(64),
  busyboxVersion: "1.35.0",
  inputsHash: "1".repeat(64),
  ...over,
});

function writeImage(version: string, json: object | string | null = meta()) {
  const dir = path.join(data, "images", version);
  fs.mkdirSync(path.join(dir, "rootfs", "bin"), { recursive: true });
  fs.writeFileSync(path.join(dir, "rootfs", "bin", "probe"), "#!/bin/true\n", { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "initramfs.cpio"), CPIO);
  if (json !== null) fs.writeFileSync(path.join(dir, "image.json"), typeof json === "string" ? json : JSON.stringify(json));
  return dir;
}

beforeEach(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-store-"));
  fs.mkdirSync(path.join(data, "images"));
  store = createImageStore({ imagesDir: path.join(data, "images"), kernelPath: path.join(data, "kernel", "vmlinux") });
});
afterEach(() => fs.rmSync(data, { recursive: true, force: true }));

describe("getImage", () => {
  it("resolves the symlink to the build it points at", async () => {
    const real = writeImage(".probe-aaaa");
    fs.symlinkSync(".probe-aaaa", path.join(data, "images", "probe"));
    const image = await store.getImage("probe");
    expect(image).toMatchObject({
      name: "probe",
      rootfsDir: path.join(real, "rootfs"),
      initramfsPath: path.join(real, "initramfs.cpio"),
      probePath: path.join(real, "rootfs", "bin", "probe"),
      meta: { busyboxVersion: "1.35.0" },
    });
  });

  it("remembers a checked build by its real path and reads a rebuild afresh", async () => {
    const first = writeImage(".probe-aaaa");
    fs.symlinkSync(".probe-aaaa", path.join(data, "images", "probe"));
    const image = await store.getImage("probe");
    // A build directory is never edited: once checked, its files are not read again.
    fs.rmSync(path.join(first, "image.json"));
    expect(await store.getImage("probe")).toBe(image);
    // A rebuild swaps the link to a new directory, which is checked like the first.
    const second = writeImage(".probe-bbbb", meta({ busyboxVersion: "1.36.1" }));
    fs.rmSync(path.join(data, "images", "probe"));
    fs.symlinkSync(".probe-bbbb", path.join(data, "images", "probe"));
    expect(await store.getImage("probe")).toMatchObject({ rootfsDir: path.join(second, "rootfs"), meta: { busyboxVersion: "1.36.1" } });
    // A link left dangling by a removed build is a set-up problem again, not a stale answer.
    fs.rmSync(second, { recursive: true });
    await expect(store.getImage("probe")).rejects.toBeInstanceOf(MissingDependencyError);
  });

  it("reports a set-up image that was never built as a missing dependency", async () => {
    await expect(store.getImage("probe")).rejects.toBeInstanceOf(MissingDependencyError);
    await expect(store.getImage("probe")).rejects.toThrow(/not built.*npm run setup/);
  });

  it("answers 404 for an unknown valid name and 422 for an invalid one", async () => {
    await expect(store.getImage("nginx")).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getImage("../etc")).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it.each([
    ["image.json is missing", null, () => {}],
    ["image.json is invalid", "{", () => {}],
    ['names "other"', meta({ name: "other" }), () => {}],
    ["initramfs.cpio has", meta({ sizeBytes: 999 }), () => {}],
    ["bin/probe is missing", meta(), (dir: string) => fs.rmSync(path.join(dir, "rootfs", "bin", "probe"))],
    ["initramfs.cpio is missing", meta(), (dir: string) => fs.rmSync(path.join(dir, "initramfs.cpio"))],
  ])("calls an image incomplete when %s", async (why, json, damage) => {
    damage(writeImage("probe", json));
    const err = await store.getImage("probe").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as MissingDependencyError).part).toBe("image");
    expect((err as Error).message).toContain(why);
  });
});

describe("listImages", () => {
  it("lists ready and broken images, skips hidden build directories", async () => {
    writeImage("probe");
    writeImage("extra", "{}");
    writeImage(".probe-old");
    fs.writeFileSync(path.join(data, "images", "README"), "not an image");
    const list = await store.listImages();
    expect(list.map((l) => [l.name, l.ready])).toEqual([
      ["extra", false],
      ["probe", true],
    ]);
  });

  it("lists the set-up image as not ready before the first set-up", async () => {
    fs.rmSync(path.join(data, "images"), { recursive: true });
    expect(await store.listImages()).toEqual([{ name: "probe", ready: false, problem: expect.stringMatching(/not built/) }]);
  });
});

describe("getKernel", () => {
  it("is a missing dependency until set-up fetched it", async () => {
    const err = await store.getKernel().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as MissingDependencyError).part).toBe("kernel");
  });

  it("returns the release and the shipped bzImage beside it", async () => {
    const dir = path.join(data, "kernel");
    fs.mkdirSync(dir);
    for (const f of ["vmlinux", "bzImage"]) fs.writeFileSync(path.join(dir, f), "x");
    fs.writeFileSync(path.join(dir, "release"), "6.1.0-56-cloud-amd64\n");
    expect(await store.getKernel()).toEqual({
      path: path.join(dir, "vmlinux"),
      release: "6.1.0-56-cloud-amd64",
      bzImagePath: path.join(dir, "bzImage"),
    });
  });

  it("says unknown for a custom kernel without a release file", async () => {
    const custom = path.join(data, "my-kernel");
    fs.writeFileSync(custom, "x");
    const s = createImageStore({ imagesDir: path.join(data, "images"), kernelPath: custom });
    expect(await s.getKernel()).toEqual({ path: custom, release: "unknown" });
  });
});
