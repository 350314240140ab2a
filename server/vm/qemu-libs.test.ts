import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { qemuEnv, qemuLibs } from "./qemu-libs";

// Real files in a temporary directory: a fake "QEMU" and the `verified`
// stamp set-up writes beside the stand-ins.
let dir: string;
let qemu: string;
let libs: string;

function stamp(over: Partial<{ qemu: string; size: number; mtimeSec: number; libraries: string[] }> = {}): void {
  const st = fs.statSync(qemu);
  const v = { qemu: fs.realpathSync(qemu), size: st.size, mtimeSec: Math.floor(st.mtimeMs / 1000), libraries: ["libcapstone.so.4"], ...over };
  fs.writeFileSync(path.join(libs, "verified"), JSON.stringify(v));
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-qemu-libs-"));
  qemu = path.join(dir, "qemu-system-x86_64");
  fs.writeFileSync(qemu, "#!/bin/sh\n", { mode: 0o755 });
  libs = path.join(dir, "lib");
  fs.mkdirSync(libs);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("qemuLibs", () => {
  it("uses the stand-ins for the QEMU they were checked against", () => {
    stamp();
    expect(qemuLibs(qemu, libs)).toEqual({ inUse: true, dir: libs, libraries: ["libcapstone.so.4"] });
  });

  it("follows a symlinked QEMU to the binary that was checked", () => {
    stamp();
    const link = path.join(dir, "qemu-link");
    fs.symlinkSync(qemu, link);
    expect(qemuLibs(link, libs)).toMatchObject({ inUse: true });
  });

  it("refuses them for a QEMU that changed since (an upgrade), naming both", () => {
    stamp({ size: 999 });
    const r = qemuLibs(qemu, libs);
    expect(r).toMatchObject({ inUse: false, why: expect.stringMatching(/another QEMU .*999 bytes/) });
  });

  it("refuses them for another binary", () => {
    stamp({ qemu: "/usr/bin/qemu-system-i386" });
    expect(qemuLibs(qemu, libs)).toMatchObject({ inUse: false, why: expect.stringMatching(/qemu-system-i386/) });
  });

  it("says when set-up built none, or the stamp is damaged", () => {
    expect(qemuLibs(qemu, libs)).toMatchObject({ inUse: false, why: expect.stringMatching(/no checked stand-ins/) });
    fs.writeFileSync(path.join(libs, "verified"), "{not json");
    expect(qemuLibs(qemu, libs)).toMatchObject({ inUse: false, why: expect.stringMatching(/unreadable/) });
    fs.writeFileSync(path.join(libs, "verified"), JSON.stringify({ qemu }));
    expect(qemuLibs(qemu, libs)).toMatchObject({ inUse: false, why: expect.stringMatching(/unreadable/) });
  });

  it("says when QEMU is nowhere", () => {
    expect(qemuLibs("no-such-qemu-here", libs)).toMatchObject({ inUse: false, why: expect.stringMatching(/not on PATH/) });
  });
});

describe("qemuEnv", () => {
  it("always sets one malloc arena and GLib's plain malloc, keeping the rest of the environment", () => {
    const env = qemuEnv("no-such-qemu-here", { PATH: "/bin", LANG: "C" });
    expect(env).toEqual({ PATH: "/bin", LANG: "C", MALLOC_ARENA_MAX: "1", G_SLICE: "always-malloc" });
  });

  it("puts checked stand-ins first on the library path, before any the caller had", () => {
    stamp();
    expect(qemuEnv(qemu, { LD_LIBRARY_PATH: "/opt/lib" }, libs).LD_LIBRARY_PATH).toBe(`${libs}:/opt/lib`);
    expect(qemuEnv(qemu, {}, libs).LD_LIBRARY_PATH).toBe(libs);
    stamp({ size: 1 });
    expect(qemuEnv(qemu, {}, libs).LD_LIBRARY_PATH).toBeUndefined();
  });
});
