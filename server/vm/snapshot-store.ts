import "server-only";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SnapshotMetaSchema, type SnapshotMeta } from "@/lib/schemas/snapshot";
import { isMigrationStreamHeader } from "@/lib/vm/snapshot";
import { NotFoundError } from "@/server/errors";
import { SnapshotCorruptError } from "./snapshot-errors";

// Snapshots on disk, one directory each under <stateDir>/snapshots:
//   <id>/vmstate     the QEMU migration stream
//   <id>/meta.json   what it is bound to (lib/schemas/snapshot.ts)
// A save writes into `.tmp-<id>/` and renames the whole directory into place
// once both files are fsynced, so a snapshot is listed complete or not at
// all; a failed or interrupted save leaves only a dot-directory, which
// cleanTemps() removes.

export const STATE_FILE = "vmstate";
const META_FILE = "meta.json";
const EDGE_BYTES = 64 * 1024;
const TMP_PREFIX = ".tmp-";

export interface PendingSnapshot {
  id: string;
  dir: string;
  statePath: string;
  /** Writes meta.json, fsyncs, and renames the directory into place. */
  commit(meta: SnapshotMeta): SnapshotMeta;
  /** Removes everything written so far. Idempotent. */
  abort(): void;
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** sha256 over the size and the first and last 64 KiB of a file. */
export function edgesSha256(file: string): string {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const hash = createHash("sha256").update(String(size));
    const len = Math.min(EDGE_BYTES, size);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, 0);
    hash.update(buf);
    fs.readSync(fd, buf, 0, len, size - len);
    hash.update(buf);
    return hash.digest("hex");
  } finally {
    fs.closeSync(fd);
  }
}

export function createSnapshotStore(root: string) {
  const dirOf = (id: string) => path.join(root, id);

  function readMeta(id: string): SnapshotMeta {
    const dir = dirOf(id);
    if (!/^s[0-9a-f]{12}$/.test(id) || !fs.existsSync(dir)) throw new NotFoundError(`No snapshot with id "${id}".`, { id });
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(path.join(dir, META_FILE), "utf8"));
    } catch (err) {
      throw new SnapshotCorruptError(`Snapshot ${id} has no readable meta.json (${(err as Error).message}); it cannot be restored.`, { id });
    }
    const parsed = SnapshotMetaSchema.safeParse(raw);
    if (!parsed.success || parsed.data.id !== id) {
      const why = parsed.success ? `it names ${parsed.data.id}` : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new SnapshotCorruptError(`Snapshot ${id} has invalid metadata (${why}); it is not an Isolab snapshot this version can restore.`, { id });
    }
    return parsed.data;
  }

  return {
    root,

    statePath: (id: string) => path.join(dirOf(id), STATE_FILE),

    /** Metadata of one snapshot; NotFoundError (404) or SnapshotCorruptError (422). */
    get: readMeta,

    /** Complete snapshots, newest first; unreadable ones are skipped (delete them by id). */
    list(): SnapshotMeta[] {
      const ids = fs.existsSync(root) ? fs.readdirSync(root).filter((f) => /^s[0-9a-f]{12}$/.test(f)) : [];
      const metas: SnapshotMeta[] = [];
      for (const id of ids) {
        try {
          metas.push(readMeta(id));
        } catch {
          // listed nowhere: it cannot be restored
        }
      }
      return metas.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    /** Size on disk of the state file, or undefined when it is gone. */
    sizeOf(id: string): number | undefined {
      try {
        return fs.statSync(path.join(dirOf(id), STATE_FILE)).size;
      } catch {
        return undefined;
      }
    },

    /**
     * Refuses a state file that is not the one saved: missing, truncated,
     * grown, not a migration stream, or different at its edges. Cheap (two
     * 64 KiB reads), so every restore runs it before spawning QEMU.
     */
    verify(meta: SnapshotMeta): void {
      const file = path.join(dirOf(meta.id), STATE_FILE);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        throw new SnapshotCorruptError(`Snapshot ${meta.id} has lost its state file.`, { id: meta.id });
      }
      if (size < meta.state.sizeBytes) {
        throw new SnapshotCorruptError(`Snapshot ${meta.id} is truncated: its state file has ${size} of ${meta.state.sizeBytes} bytes.`, {
          id: meta.id,
          size,
          expected: meta.state.sizeBytes,
        });
      }
      if (size > meta.state.sizeBytes) {
        throw new SnapshotCorruptError(`Snapshot ${meta.id} has been altered: its state file has ${size} bytes, ${meta.state.sizeBytes} were saved.`, {
          id: meta.id,
          size,
        });
      }
      const head = Buffer.alloc(8);
      const fd = fs.openSync(file, "r");
      try {
        fs.readSync(fd, head, 0, 8, 0);
      } finally {
        fs.closeSync(fd);
      }
      if (!isMigrationStreamHeader(head))
        throw new SnapshotCorruptError(`Snapshot ${meta.id} is not a QEMU migration stream (no QEVM header).`, { id: meta.id });
      if (edgesSha256(file) !== meta.state.edgesSha256)
        throw new SnapshotCorruptError(`Snapshot ${meta.id}'s state file differs from the one saved.`, { id: meta.id });
    },

    /** Idempotent for a half-deleted one; NotFoundError for an id that never existed. */
    remove(id: string): void {
      const dir = dirOf(id);
      if (!/^s[0-9a-f]{12}$/.test(id) || !fs.existsSync(dir)) throw new NotFoundError(`No snapshot with id "${id}".`, { id });
      // Renamed away first, so a reader never sees a snapshot without its state file.
      const gone = path.join(root, `${TMP_PREFIX}del-${id}`);
      fs.renameSync(dir, gone);
      fs.rmSync(gone, { recursive: true, force: true });
    },

    begin(): PendingSnapshot {
      fs.mkdirSync(root, { recursive: true, mode: 0o700 });
      const id = `s${randomBytes(6).toString("hex")}`;
      const dir = path.join(root, `${TMP_PREFIX}${id}`);
      // A snapshot is a guest's whole memory: root's alone (0700 directory, 0600 files).
      fs.mkdirSync(dir, { mode: 0o700 });
      let done = false;
      return {
        id,
        dir,
        statePath: path.join(dir, STATE_FILE),
        commit(meta) {
          const metaPath = path.join(dir, META_FILE);
          fs.writeFileSync(metaPath, JSON.stringify(meta, null, 2), { mode: 0o600 });
          fsyncPath(metaPath);
          fsyncPath(path.join(dir, STATE_FILE));
          fs.renameSync(dir, dirOf(id));
          fsyncPath(root);
          done = true;
          return meta;
        },
        abort() {
          if (!done) fs.rmSync(dir, { recursive: true, force: true });
          done = true;
        },
      };
    },

    /** Removes what interrupted saves and deletes left; returns what it removed. */
    cleanTemps(): string[] {
      if (!fs.existsSync(root)) return [];
      const removed: string[] = [];
      for (const f of fs.readdirSync(root).filter((f) => f.startsWith(TMP_PREFIX))) {
        fs.rmSync(path.join(root, f), { recursive: true, force: true });
        removed.push(`snapshots/${f}`);
      }
      return removed;
    },
  };
}

export type SnapshotStore = ReturnType<typeof createSnapshotStore>;
