import "server-only";
import type { QemuDirs } from "@/server/host/qemu-user";
import fs from "node:fs";
import path from "node:path";
import type net from "node:net";
import { QmpMigrateReply, QmpStatusReply } from "@/lib/schemas/qmp";
import { SNAPSHOT_FORMAT, type SnapshotBinding, type SnapshotMeta } from "@/lib/schemas/snapshot";
import { ConflictError, diskFullCode } from "@/server/errors";
import type { AgentChannel } from "./agent-channel";
import { accept, listen, removeFiles } from "./launch";
import type { QmpClient } from "./qmp-client";
import { SnapshotDiskFullError, SnapshotSaveError } from "./snapshot-errors";
import { edgesSha256, type SnapshotStore } from "./snapshot-store";

// Saving a running VM: QMP `stop`, then `migrate` to a unix socket Isolab
// listens on, and Isolab writes the stream to a temporary file.
//
// Why a socket and not `exec:cat > FILE` (how it was first measured by hand): exec:
// runs /bin/sh -c with the path inside a shell string; QEMU 7.2 has no
// `file:` URI; and `fd:` needs SCM_RIGHTS, which Node's sockets cannot send.
// With the socket no process is spawned, no shell sees a path, and the
// writer is Isolab's own: a full disk is an ENOSPC here, named as such, and
// closing the socket fails the migration while the VM is still whole.

export interface SaveTarget {
  qmp: QmpClient;
  /** Read for the guest's uptime and the next request id; optional for a guest without an agent. */
  agent?: AgentChannel;
}

export interface SaveOptions {
  store: SnapshotStore;
  binding: SnapshotBinding;
  /** The placeholder argument array (lib/vm/snapshot.ts machineArgs). */
  args: string[];
  purpose: SnapshotMeta["purpose"];
  templateKey?: string;
  source: SnapshotMeta["source"];
  /** After a successful save, resume a VM that was running; false leaves it paused. A failed save always restores the state it found. */
  resume: boolean;
  hostname?: string;
  timeoutMs?: number;
  /** Called when the save has begun (VM stopped), for tests that fault the disk. */
  onStopped?: () => void;
  /** QEMU runs as its own user: the store's root is made searchable for it, to reach the migration socket. */
  qemu?: QemuDirs;
}

export const DEFAULT_SAVE_TIMEOUT_MS = 60_000;
/** QEMU throttles migration to 128 MiB/s by default; a stopped VM saved to a local file has no network to spare. */
const MAX_BANDWIDTH_BYTES_PER_S = 10 * 2 ** 30;
const POLL_MS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const isDiskFull = (err: unknown): boolean => diskFullCode(err) !== undefined;

/** Receives one connection's bytes into `file`; settles once they are all written (or failed). */
function receiveInto(server: net.Server, file: string, onError: (err: Error) => void): Promise<void> {
  return accept(server).then(
    (sock) =>
      new Promise<void>((resolve, reject) => {
        const out = fs.createWriteStream(file, { flags: "wx", mode: 0o600 });
        const fail = (err: Error) => {
          onError(err);
          sock.destroy(); // QEMU's write fails: the migration ends as `failed`
          out.destroy();
          reject(err);
        };
        out.on("error", fail);
        sock.on("error", fail);
        out.on("finish", () => resolve());
        sock.pipe(out);
      }),
  );
}

async function guestUptime(agent: AgentChannel | undefined): Promise<number | undefined> {
  if (!agent?.isReady) return undefined;
  try {
    const r = await agent.exec("ping", [], { timeoutMs: 5_000 });
    const up = (JSON.parse(r.output.trim().split("\n").at(-1) ?? "") as { uptime?: unknown }).uptime;
    return typeof up === "number" ? up : undefined;
  } catch {
    return undefined;
  }
}

async function queryStatus(qmp: QmpClient): Promise<QmpStatusReply> {
  return qmp.execute("query-status", undefined, { schema: QmpStatusReply, timeoutMs: 5_000 });
}

/**
 * Saves the VM behind `target` as a new snapshot and returns its metadata.
 * On any failure the temporary directory is removed, the VM is resumed if it
 * was running, and a named error is thrown (SnapshotDiskFullError for a full
 * disk).
 */
export async function saveSnapshot(target: SaveTarget, opts: SaveOptions): Promise<SnapshotMeta> {
  const { qmp } = target;
  const before = await queryStatus(qmp).catch((err: Error) => {
    throw new SnapshotSaveError(`Cannot snapshot: QMP does not answer (${err.message}).`);
  });
  if (!before.running && before.status !== "paused") {
    throw new ConflictError(`Cannot snapshot a VM that is ${before.status}; it must be running or paused.`);
  }
  const uptime = before.running ? await guestUptime(target.agent) : undefined;
  const agentNextId = target.agent?.nextRequestId ?? 1;

  const pending = opts.store.begin();
  // Beside the store, with a short name: sun_path holds 107 bytes.
  const sock = path.join(opts.store.root, `.tmp-m${pending.id}.sock`);
  let writeError: Error | undefined;
  let server: net.Server | undefined;
  let stopped = false;
  let saved = false;
  const t0 = performance.now();
  try {
    opts.qemu?.traverse(opts.store.root);
    server = await listen(sock).catch((err: Error) => {
      throw new SnapshotSaveError(`Cannot snapshot: ${err.message}`);
    });
    const received = receiveInto(server, pending.statePath, (err) => (writeError ??= err));
    received.catch(() => {});
    await qmp.execute("migrate-set-parameters", { "max-bandwidth": MAX_BANDWIDTH_BYTES_PER_S }, { timeoutMs: 5_000 });
    if (before.running) {
      await qmp.execute("stop", undefined, { timeoutMs: 5_000 });
      stopped = true;
    }
    opts.onStopped?.();
    await qmp.execute("migrate", { uri: `unix:${sock}` }, { timeoutMs: 5_000 });

    const deadline = t0 + (opts.timeoutMs ?? DEFAULT_SAVE_TIMEOUT_MS);
    let info: QmpMigrateReply;
    for (;;) {
      info = await qmp.execute("query-migrate", undefined, { schema: QmpMigrateReply, timeoutMs: 5_000 });
      if (info.status === "completed" || info.status === "failed" || info.status === "cancelled") break;
      if (writeError || performance.now() > deadline) {
        await qmp.execute("migrate_cancel", undefined, { timeoutMs: 5_000 }).catch(() => {});
        if (!writeError) throw new SnapshotSaveError(`The save did not finish within ${opts.timeoutMs ?? DEFAULT_SAVE_TIMEOUT_MS} ms; it was cancelled.`);
      }
      await sleep(POLL_MS);
    }
    if (info.status === "completed") await received.catch(() => {});
    if (writeError) {
      if (isDiskFull(writeError)) {
        throw new SnapshotDiskFullError(`The disk holding ${opts.store.root} is full; the snapshot was not saved and the VM was left as it was.`, {
          code: (writeError as NodeJS.ErrnoException).code,
        });
      }
      throw new SnapshotSaveError(`Writing the snapshot failed: ${writeError.message}. The VM was left as it was.`);
    }
    if (info.status !== "completed") {
      throw new SnapshotSaveError(`QEMU's save ended as ${info.status}${info["error-desc"] ? `: ${info["error-desc"]}` : ""}. The VM was left as it was.`);
    }

    const sizeBytes = fs.statSync(pending.statePath).size;
    const ram = info.ram as { total?: number; transferred?: number } | undefined;
    const meta: SnapshotMeta = {
      format: SNAPSHOT_FORMAT,
      id: pending.id,
      createdAt: new Date().toISOString(),
      purpose: opts.purpose,
      ...(opts.templateKey ? { templateKey: opts.templateKey } : {}),
      source: opts.source,
      binding: opts.binding,
      args: opts.args,
      state: { file: "vmstate", sizeBytes, edgesSha256: edgesSha256(pending.statePath) },
      saveMs: 0,
      ...(uptime !== undefined ? { guestUptimeSeconds: uptime } : {}),
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      agentNextId,
      ...(typeof ram?.total === "number" && typeof ram.transferred === "number" ? { ram: { totalBytes: ram.total, transferredBytes: ram.transferred } } : {}),
    };
    try {
      meta.saveMs = Math.round((performance.now() - t0) * 10) / 10;
      pending.commit(meta);
      saved = true;
      return meta;
    } catch (err) {
      if (isDiskFull(err))
        throw new SnapshotDiskFullError(`The disk holding ${opts.store.root} is full; the snapshot was not saved and the VM was left as it was.`);
      throw new SnapshotSaveError(`Storing the snapshot failed: ${(err as Error).message}. The VM was left as it was.`);
    }
  } catch (err) {
    pending.abort();
    if (err instanceof SnapshotDiskFullError || err instanceof SnapshotSaveError) throw err;
    throw new SnapshotSaveError(`Saving the VM failed: ${(err as Error).message}. The VM was left as it was.`);
  } finally {
    server?.close();
    removeFiles([sock]);
    // A failed save resumes what was running; a successful one only when asked.
    if (stopped && (!saved || opts.resume)) await qmp.execute("cont", undefined, { timeoutMs: 5_000 }).catch(() => {});
  }
}
