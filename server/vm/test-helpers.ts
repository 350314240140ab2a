import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { parseLastJson } from "@/lib/probe/output";
import { config } from "@/server/config";
import { qemuLibs } from "./qemu-libs";

// What the integration tests that start real QEMUs ask of the host: which
// QEMUs still run for a directory, which of a VM's files are left, and what
// the guest says of itself. Test-only (it uses vitest's expect).

/** QEMU processes whose arguments mention `dir` (its instance or state directory). */
export function qemusIn(dir: string): string[] {
  try {
    return execFileSync("pgrep", ["-af", dir], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes("qemu-system"));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The sockets and pid file a VM keeps in its directory while it runs: none may be left once it is gone. */
export function vmFilesLeft(dir: string): string[] {
  return ["qmp.sock", "agent.sock", "qemu.pid"].filter((f) => fs.existsSync(path.join(dir, f)));
}

/** The probe's `info` inside the guest, its last JSON line parsed. */
export async function guestInfo<T>(h: {
  exec: (c: string, a: string[], o?: { timeoutMs?: number }) => Promise<{ exitCode: number; output: string }>;
}): Promise<T> {
  const r = await h.exec("info", [], { timeoutMs: 20_000 });
  expect(r.exitCode).toBe(0);
  return parseLastJson(r.output) as T;
}

/**
 * Every QEMU Isolab runs (qemu-libs.ts qemuEnv), read from /proc: set-up's
 * stand-ins mapped from <data>/lib/qemu and the system's own copies not
 * mapped at all, one malloc arena, GLib's slice allocator off.
 */
export function expectQemuEnvironment(pid: number): void {
  const libs = qemuLibs(config.qemuBinary);
  if (!libs.inUse) throw new Error(`set-up's QEMU library stand-ins are not in use (${libs.why}); run npm run setup`);
  const mapped = new Set(
    fs
      .readFileSync(`/proc/${pid}/maps`, "utf8")
      .split("\n")
      .map((l) => l.split(/\s+/)[5])
      .filter((f): f is string => !!f && f.startsWith("/")),
  );
  expect(libs.libraries.length).toBeGreaterThan(0);
  for (const lib of libs.libraries) {
    expect(mapped).toContain(path.join(libs.dir, lib));
    expect([...mapped].filter((f) => path.basename(f) === lib && !f.startsWith(libs.dir + "/"))).toEqual([]);
  }
  const env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  expect(env).toEqual(expect.arrayContaining(["MALLOC_ARENA_MAX=1", "G_SLICE=always-malloc"]));
}
