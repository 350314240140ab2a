import "server-only";
import fs from "node:fs";
import type { CreateInstance } from "@/lib/schemas/instance";
import type { CreateSnapshot, SnapshotInfo, SnapshotMeta } from "@/lib/schemas/snapshot";
import type { App } from "@/server/app/create-app";
import { ConflictError, InvalidRequestError } from "@/server/errors";
import { cachedQemuVersion, fileFingerprint } from "@/server/vm/snapshot-binding";

// What the snapshot routes answer: list (with size, and whether this host can
// still restore each), delete, save a running VM, and check a snapshot
// against a launch before anything starts, all through the supervisor's own
// VM engine (app.engines.vm). Routes parse and map errors.

/** Why this host cannot restore it any more (QEMU upgraded, kernel or image rebuilt), cheaply: hashes are cached. */
async function staleReasons(app: App, meta: SnapshotMeta): Promise<string[]> {
  const reasons: string[] = [];
  const version = await cachedQemuVersion(app.config.qemuBinary).catch(() => "no QEMU");
  if (version !== meta.binding.qemuVersion) reasons.push(`QEMU is now ${version}`);
  const changed = async (what: string, fp: { path: string; sha256: string }) => {
    if (!fs.existsSync(fp.path)) return reasons.push(`its ${what} ${fp.path} is gone`);
    if ((await fileFingerprint(fp.path)).sha256 !== fp.sha256) reasons.push(`its ${what} changed`);
  };
  await changed("kernel", meta.binding.kernel);
  await changed("image", meta.binding.image.initramfs);
  return reasons;
}

async function toInfo(app: App, meta: SnapshotMeta): Promise<SnapshotInfo> {
  const stale = await staleReasons(app, meta);
  return {
    id: meta.id,
    createdAt: meta.createdAt,
    purpose: meta.purpose,
    source: meta.source,
    image: meta.binding.image.name,
    memoryMiB: meta.binding.machine.memoryMiB,
    cpus: meta.binding.machine.cpus,
    accel: meta.binding.machine.accel,
    qemuVersion: meta.binding.qemuVersion,
    sizeBytes: app.engines.vm.snapshots.sizeOf(meta.id) ?? meta.state.sizeBytes,
    saveMs: meta.saveMs,
    ...(meta.hostname ? { hostname: meta.hostname } : {}),
    ...(stale.length ? { stale } : {}),
  };
}

export async function listSnapshots(app: App): Promise<SnapshotInfo[]> {
  return Promise.all(app.engines.vm.snapshots.list().map((meta) => toInfo(app, meta)));
}

export async function getSnapshot(app: App, id: string): Promise<SnapshotInfo> {
  return toInfo(app, app.engines.vm.snapshots.get(id));
}

/** 404 for an unknown id. A VM restored from it keeps running: QEMU has already read it. */
export function deleteSnapshot(app: App, id: string): void {
  app.engines.vm.snapshots.remove(id);
}

/** Saves a running VM; resumes it afterwards unless asked to leave it paused. */
export async function snapshotInstance(app: App, id: string, opts: CreateSnapshot): Promise<SnapshotInfo> {
  const { supervisor } = app;
  const instance = supervisor.get(id);
  if (instance.kind !== "vm") throw new InvalidRequestError(`Only a VM can be snapshotted; "${instance.name}" is a ${instance.kind}.`);
  if (instance.state !== "running") throw new ConflictError(`"${instance.name}" is ${instance.state}; only a running VM can be snapshotted.`);
  const snapshot = supervisor.handle(id)?.capabilities.snapshot;
  if (!snapshot) throw new ConflictError(`"${instance.name}" cannot be snapshotted by this server.`);
  return toInfo(app, await snapshot.save({ resume: opts.resume }));
}

/** For a launch naming a snapshot: refuses one it could not be restored from (404, 409, 422) before an instance exists. */
export async function checkLaunchSnapshot(app: App, input: CreateInstance): Promise<void> {
  if (!input.snapshot) return;
  const image = await app.resolveImage(input.image, "vm");
  await app.engines.vm.checkSnapshot(input.snapshot, { image, memoryMiB: input.memoryMiB, cpus: input.cpus });
}
