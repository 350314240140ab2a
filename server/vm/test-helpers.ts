import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { parseLastJson } from "@/lib/probe/output";

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
