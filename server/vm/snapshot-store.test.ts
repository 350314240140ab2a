import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SNAPSHOT_FORMAT, type SnapshotMeta } from "@/lib/schemas/snapshot";
import { isIsolabError } from "@/server/errors";
import { createSnapshotStore, edgesSha256, type SnapshotStore } from "./snapshot-store";

// The store's files and refusals, on a temp directory with a fake stream.

let root: string;
let store: SnapshotStore;

const STREAM = Buffer.concat([Buffer.from([0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 3]), randomBytes(200_000)]);
const fp = { path: "/x", sizeBytes: 1, mtimeMs: 1, sha256: "0".repeat(64) };

function save(bytes = STREAM): SnapshotMeta {
  const p = store.begin();
  fs.writeFileSync(p.statePath, bytes);
  const meta: SnapshotMeta = {
    format: SNAPSHOT_FORMAT,
    id: p.id,
    createdAt: new Date().toISOString(),
    purpose: "manual",
    source: { name: "t" },
    binding: {
      qemuVersion: "QEMU 7.2",
      machine: { memoryMiB: 128, cpus: 1, accel: "tcg" },
      argsHash: "a".repeat(64),
      kernel: fp,
      image: { name: "probe", initramfs: fp },
      bios: null,
    },
    args: ["-m", "128"],
    state: { file: "vmstate", sizeBytes: bytes.length, edgesSha256: edgesSha256(p.statePath) },
    saveMs: 1,
    agentNextId: 1,
  };
  return p.commit(meta);
}

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { status: isIsolabError(err) ? err.status : undefined, message: (err as Error).message };
  }
  return undefined;
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-snapstore-"));
  store = createSnapshotStore(path.join(root, "snapshots"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("snapshot store", () => {
  it("lists a committed snapshot and verifies it; deletes it", () => {
    const meta = save();
    expect(store.list().map((m) => m.id)).toEqual([meta.id]);
    expect(() => store.verify(store.get(meta.id))).not.toThrow();
    store.remove(meta.id);
    expect(store.list()).toEqual([]);
    expect(refusal(() => store.remove(meta.id))?.status).toBe(404);
  });

  it("an aborted save leaves nothing, and cleanTemps removes what a crash left", () => {
    const p = store.begin();
    fs.writeFileSync(p.statePath, STREAM.subarray(0, 1000));
    expect(store.list()).toEqual([]);
    p.abort();
    expect(fs.readdirSync(store.root)).toEqual([]);
    const crashed = store.begin();
    fs.writeFileSync(crashed.statePath, "partial");
    expect(store.cleanTemps()).toEqual([`snapshots/.tmp-${crashed.id}`]);
    expect(fs.readdirSync(store.root)).toEqual([]);
  });

  it.each<[string, (file: string) => void, RegExp]>([
    ["truncated", (f) => fs.truncateSync(f, 1000), /truncated: its state file has 1000 of 200008 bytes/],
    ["grown", (f) => fs.appendFileSync(f, "x"), /altered: its state file has 200009 bytes/],
    ["foreign", (f) => fs.writeFileSync(f, Buffer.alloc(STREAM.length, 7)), /not a QEMU migration stream/],
    ["changed at its end", (f) => fs.writeFileSync(f, Buffer.concat([STREAM.subarray(0, -10), Buffer.alloc(10)])), /differs from the one saved/],
    ["gone", (f) => fs.rmSync(f), /lost its state file/],
  ])("refuses a state file that was %s (422)", (_what, damage, message) => {
    const meta = save();
    damage(store.statePath(meta.id));
    expect(refusal(() => store.verify(meta))).toEqual({ status: 422, message: expect.stringMatching(message) });
  });

  it("refuses metadata that is not an Isolab snapshot's (422), and skips it in the list", () => {
    const meta = save();
    fs.writeFileSync(path.join(store.root, meta.id, "meta.json"), JSON.stringify({ format: "something else" }));
    expect(refusal(() => store.get(meta.id))).toEqual({ status: 422, message: expect.stringMatching(/invalid metadata/) });
    expect(store.list()).toEqual([]);
    expect(refusal(() => store.get("s0123456789ab"))?.status).toBe(404);
    expect(refusal(() => store.get("../etc"))?.status).toBe(404);
  });
});
