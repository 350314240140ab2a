import "server-only";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { config } from "@/server/config";
import { findOnPath } from "@/server/host/find-on-path";

// Isolab's stand-ins for two libraries Debian's QEMU links and Isolab's VMs
// never use (guest/qemu-libs: libcapstone, libpmem), built by set-up into
// <data>/lib/qemu and checked there against the installed QEMU
// (scripts/build-qemu-libs.sh). Every QEMU Isolab runs loads them first
// (LD_LIBRARY_PATH), but only the very binary they were checked against:
// another QEMU (an upgrade, ISOLAB_QEMU) loads Debian's own until set-up runs
// again. Measured: about 1.8 MiB less private memory in every QEMU process
// (ARCHITECTURE.md, "QEMU's memory").

export const QEMU_LIBS_DIR = path.join("lib", "qemu");

const Verified = z.object({
  qemu: z.string(),
  size: z.number().int(),
  mtimeSec: z.number().int(),
  libraries: z.array(z.string()),
});

export type QemuLibs = { inUse: true; dir: string; libraries: string[] } | { inUse: false; dir: string; why: string };

/** Whether QEMU `binary` (a name on PATH or a path) loads the stand-ins in `dir`, and why not. */
export function qemuLibs(binary: string, dir = path.join(config.dataDir, QEMU_LIBS_DIR)): QemuLibs {
  const qemu = findOnPath(binary);
  if (!qemu) return { inUse: false, dir, why: `${binary} is not on PATH` };
  let verified: z.infer<typeof Verified>;
  try {
    verified = Verified.parse(JSON.parse(fs.readFileSync(path.join(dir, "verified"), "utf8")));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    return { inUse: false, dir, why: missing ? `${dir} holds no checked stand-ins` : `${dir}/verified is unreadable: ${(err as Error).message}` };
  }
  let real: string;
  let st: fs.Stats;
  try {
    real = fs.realpathSync(qemu);
    st = fs.statSync(real);
  } catch (err) {
    return { inUse: false, dir, why: `${qemu}: ${(err as Error).message}` };
  }
  if (real !== verified.qemu || st.size !== verified.size || Math.floor(st.mtimeMs / 1000) !== verified.mtimeSec) {
    return { inUse: false, dir, why: `they were checked against another QEMU (${verified.qemu}, ${verified.size} bytes); ${real} is ${st.size} bytes` };
  }
  return { inUse: true, dir, libraries: verified.libraries };
}

/**
 * What every QEMU Isolab runs gets beside Isolab's own environment: the
 * stand-ins first on the library path, when checked for this QEMU; one malloc
 * arena (its vCPU and I/O threads would otherwise each grow their own); and
 * GLib's slice allocator off (G_SLICE=always-malloc: its per-size magazines
 * hold about 0.2 MiB that plain malloc does not).
 */
export function qemuEnv(binary: string, base: Record<string, string | undefined> = process.env, dir?: string): NodeJS.ProcessEnv {
  const libs = qemuLibs(binary, dir);
  const env: Record<string, string | undefined> = { ...base, MALLOC_ARENA_MAX: "1", G_SLICE: "always-malloc" };
  if (libs.inUse) env.LD_LIBRARY_PATH = [libs.dir, base.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return env as NodeJS.ProcessEnv;
}
