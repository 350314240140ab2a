import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { getImage, getKernel, listImages } from "./store";

// The real artifacts `npm run setup` built (scripts/build-image.sh,
// scripts/setup-kernel.sh), checked from the outside.

describe("the built probe image", () => {
  it("is listed as ready and its cpio matches image.json", async () => {
    const image = await getImage("probe");
    const cpio = fs.readFileSync(image.initramfsPath);
    expect(cpio.length).toBe(image.meta.sizeBytes);
    expect(crypto.createHash("sha256").update(cpio).digest("hex")).toBe(image.meta.sha256);
    expect((await listImages()).find((l) => l.name === "probe")?.ready).toBe(true);
  });

  it("has a probe that runs on the host and reports the host's kernel", async () => {
    const { probePath } = await getImage("probe");
    const r = spawnSync(probePath, ["info"], { encoding: "utf8", timeout: 10_000 });
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "");
    expect(info.kernelRelease).toBe(os.release());
    expect(info.processCount).toBeGreaterThan(0);
  });

  it("packs /init and /bin/probe into the initramfs, owned by root", async () => {
    const { initramfsPath } = await getImage("probe");
    const r = spawnSync("cpio", ["-itv", "--quiet"], { input: fs.readFileSync(initramfsPath), encoding: "utf8" });
    expect(r.status).toBe(0);
    const entries = new Map(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => {
          const cols = l.split(/\s+/);
          return [cols.at(-1)?.startsWith("/") ? cols.at(-3) : cols.at(-1), { mode: cols[0], owner: cols[2] }] as const;
        }),
    );
    expect(entries.get("init")).toMatchObject({ mode: "-rwxr-xr-x", owner: "root" });
    expect(entries.get("bin/probe")).toMatchObject({ mode: "-rwxr-xr-x", owner: "root" });
    expect(entries.get("dev/console")?.mode).toMatch(/^c/);
  });
});

describe("the guest kernel", () => {
  it("is an ELF with a release", async () => {
    const kernel = await getKernel();
    const head = Buffer.alloc(4);
    const fd = fs.openSync(kernel.path, "r");
    fs.readSync(fd, head, 0, 4, 0);
    fs.closeSync(fd);
    if (!process.env.ISOLAB_KERNEL) {
      expect(head.toString("latin1")).toBe("\x7fELF");
      expect(kernel.release).toMatch(/^\d+\.\d+\.\d+-\S+$/);
      expect(kernel.bzImagePath).toBeDefined();
    }
  });
});
