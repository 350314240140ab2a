import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { FileFingerprint, SnapshotBinding } from "@/lib/schemas/snapshot";
import { machineArgs, type MachineSpec } from "@/lib/vm/snapshot";
import { qemuVersionOrMissing } from "./host";
import { findOnPath } from "@/server/host/find-on-path";

// What a snapshot is bound to, computed for the machine at hand. Hashes of
// the kernel (≈50 MB), the initramfs and the firmware are cached by path,
// inode, size and mtime, so a warm start pays a few stat() calls, not a
// re-read; `qemu --version` is cached by the binary's own stat.

interface Cached<T> {
  key: string;
  value: T;
}

const fingerprints = new Map<string, Cached<Promise<FileFingerprint>>>();
const versions = new Map<string, Cached<Promise<string>>>();

const statKey = (st: fs.Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Content hash of a file, recomputed only when its inode, size or mtime changed. */
export function fileFingerprint(file: string): Promise<FileFingerprint> {
  const abs = path.resolve(file);
  const st = fs.statSync(abs);
  const key = statKey(st);
  const hit = fingerprints.get(abs);
  if (hit && hit.key === key) return hit.value;
  const value = sha256File(abs).then((sha256) => ({ path: abs, sizeBytes: st.size, mtimeMs: st.mtimeMs, sha256 }));
  value.catch(() => fingerprints.delete(abs));
  fingerprints.set(abs, { key, value });
  return value;
}

/** `--version`'s first line, asked again only when the binary file changed (an upgrade). */
export function cachedQemuVersion(binary: string): Promise<string> {
  const resolved = findOnPath(binary);
  let key = "unresolved";
  try {
    if (resolved) key = statKey(fs.statSync(fs.realpathSync(resolved)));
  } catch {
    // qemuVersionOrMissing names the problem
  }
  const hit = versions.get(binary);
  if (hit && hit.key === key && key !== "unresolved") return hit.value;
  const value = qemuVersionOrMissing(binary);
  value.catch(() => versions.delete(binary));
  versions.set(binary, { key, value });
  return value;
}

export function argsHash(args: readonly string[]): string {
  // NUL cannot occur inside an argument, so the join is unambiguous.
  return createHash("sha256").update(args.join("\0")).digest("hex");
}

export interface BindingInput {
  qemuBinary: string;
  spec: MachineSpec;
  imageName: string;
}

/** The binding of a VM with this machine spec on this host, now. */
export async function currentBinding(input: BindingInput): Promise<{ binding: SnapshotBinding; args: string[] }> {
  const { spec } = input;
  const args = machineArgs(spec);
  const [qemuVersion, kernel, initramfs, bios] = await Promise.all([
    cachedQemuVersion(input.qemuBinary),
    fileFingerprint(spec.kernel),
    fileFingerprint(spec.initrd),
    spec.bios ? fileFingerprint(spec.bios) : Promise.resolve(null),
  ]);
  return {
    args,
    binding: {
      qemuVersion,
      machine: { memoryMiB: spec.memoryMiB, cpus: spec.cpus, accel: spec.accel },
      argsHash: argsHash(args),
      kernel,
      image: { name: input.imageName, initramfs },
      bios,
    },
  };
}

/** Templates are keyed by everything a binding holds: a new kernel, image, QEMU or memory size means a new template. */
export function templateKey(binding: SnapshotBinding): string {
  const parts = [binding.qemuVersion, binding.argsHash, binding.kernel.sha256, binding.image.name, binding.image.initramfs.sha256, binding.bios?.sha256 ?? "-"];
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16);
}
