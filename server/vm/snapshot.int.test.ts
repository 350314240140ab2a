import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QmpStatusReply } from "@/lib/schemas/qmp";
import type { SnapshotMeta } from "@/lib/schemas/snapshot";
import { TEST_ACCEL } from "@/server/app/test-support";
import { config } from "@/server/config";
import { isIsolabError } from "@/server/errors";
import { qemuDirs, requireQemuUser } from "@/server/host/qemu-user";
import { getImage, getKernel } from "@/server/images/store";
import type { ImageRef, StartRequest } from "@/server/engine/contract";
import { createVmEngine } from "./engine";
import { currentBinding } from "./snapshot-binding";
import { saveSnapshot } from "./snapshot-save";
import { createSnapshotStore, edgesSha256 } from "./snapshot-store";
import { guestInfo, qemusIn, vmFilesLeft } from "./test-helpers";

// Real QEMU under TCG: one cold boot saved, restored twice; refusals of a
// damaged, foreign and mismatched snapshot; a full disk while saving; and a
// warm launch that builds its template once. ≈15 s on 2 cores.

interface SnapshotGuestInfo {
  hostname: string;
  uptimeSeconds: number;
  kernelRelease: string;
}

let image: ImageRef;
let kernelPath: string;
let stateDir: string;
let counter = 0;
const engine = () => createVmEngine({ stateDir, kernelPath, accel: TEST_ACCEL });

function request(patch: Partial<StartRequest> = {}): StartRequest {
  const id = `vm${++counter}`;
  return { id, name: `snap-${counter}`, image, memoryMiB: 128, cpus: 1, dir: path.join(stateDir, "instances", id), readyTimeoutMs: 30_000, ...patch };
}

/** A copy of a snapshot under a new id, with `edit` applied to its metadata; returns the new id. */
function copySnapshot(meta: SnapshotMeta, edit: (m: SnapshotMeta, statePath: string) => void = () => {}): string {
  const store = createSnapshotStore(path.join(stateDir, "snapshots"));
  const id = `s${randomBytes(6).toString("hex")}`;
  const dir = path.join(store.root, id);
  fs.mkdirSync(dir);
  fs.copyFileSync(store.statePath(meta.id), path.join(dir, "vmstate"));
  const copy = structuredClone({ ...meta, id });
  edit(copy, path.join(dir, "vmstate"));
  fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify(copy));
  return id;
}

async function expectRefused(req: StartRequest, status: number, message: RegExp) {
  const before = qemusIn(stateDir).length;
  const err = await engine()
    .start(req)
    .catch((e: unknown) => e);
  expect(isIsolabError(err) && err.status).toBe(status);
  expect((err as Error).message).toMatch(message);
  expect(qemusIn(req.dir)).toEqual([]);
  expect(vmFilesLeft(req.dir)).toEqual([]);
  expect(qemusIn(stateDir)).toHaveLength(before);
}

beforeAll(async () => {
  image = await getImage("probe");
  kernelPath = (await getKernel()).path;
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-snap-"));
});

afterAll(async () => {
  await engine().reconcile(stateDir);
  expect(qemusIn(stateDir)).toEqual([]);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe("VM snapshots (QEMU, TCG)", () => {
  let meta: SnapshotMeta;

  it("snapshots a running VM, which keeps running, and restores it twice; each clone answers with its own name and a continuing uptime", async () => {
    const source = await engine().start(request());
    try {
      meta = await source.capabilities.snapshot.save({ resume: true });
      console.log(`[snapshot] ${(meta.state.sizeBytes / 2 ** 20).toFixed(1)} MiB saved in ${meta.saveMs} ms; guest uptime ${meta.guestUptimeSeconds} s`);
      expect(meta.state.sizeBytes).toBeGreaterThan(1 << 20);
      expect(meta.binding.machine).toEqual({ memoryMiB: 128, cpus: 1, accel: TEST_ACCEL });
      expect(
        engine()
          .snapshots.list()
          .map((m) => m.id),
      ).toEqual([meta.id]);
      expect(fs.readdirSync(engine().snapshots.root).filter((f) => f.startsWith("."))).toEqual([]);
      expect(await source.qmp.execute("query-status", undefined, { schema: QmpStatusReply })).toMatchObject({ running: true });
      expect((await source.exec("ping", [], { timeoutMs: 10_000 })).exitCode).toBe(0);
    } finally {
      await source.stop({ timeoutMs: 3000 });
    }

    for (let i = 0; i < 2; i++) {
      const req = request();
      const clone = await engine().start({ ...req, snapshotId: meta.id });
      try {
        expect(clone.startMode).toBe("warm");
        expect(clone.snapshotId).toBe(meta.id);
        expect(clone.startup.phases.map((p) => p.name)).toEqual(["qemu-up", "state-loaded", "ready"]);
        expect(Math.abs(clone.startup.phases.reduce((s, p) => s + p.ms, 0) - clone.startup.totalMs)).toBeLessThan(1);
        console.log(`[restore ${i + 1}] ${clone.startup.totalMs} ms: ${clone.startup.phases.map((p) => `${p.name} ${p.ms}`).join(", ")}`);
        const info = await guestInfo<SnapshotGuestInfo>(clone);
        expect(info.hostname).toBe(req.name);
        expect(info.uptimeSeconds).toBeGreaterThanOrEqual(meta.guestUptimeSeconds!);
        expect(qemusIn(req.dir)).toHaveLength(1);
      } finally {
        await clone.stop({ timeoutMs: 3000 });
      }
      expect(qemusIn(req.dir)).toEqual([]);
      expect(vmFilesLeft(req.dir)).toEqual([]);
    }
  });

  it("refuses a truncated snapshot before spawning QEMU, and one whose stream ends early once QEMU reads it; no QEMU is left", async () => {
    const truncated = copySnapshot(meta, (_m, file) => fs.truncateSync(file, Math.floor(meta.state.sizeBytes / 2)));
    await expectRefused(request({ snapshotId: truncated }), 422, /truncated: its state file has \d+ of \d+ bytes/);
    // Metadata that agrees with the short file: only QEMU can tell.
    const short = copySnapshot(meta, (m, file) => {
      fs.truncateSync(file, Math.floor(meta.state.sizeBytes / 2));
      m.state.sizeBytes = fs.statSync(file).size;
      m.state.edgesSha256 = edgesSha256(file);
    });
    await expectRefused(request({ snapshotId: short }), 422, /QEMU could not load snapshot/);
  });

  it("refuses a foreign file and a snapshot of other arguments, QEMU or image, naming why", async () => {
    const foreign = copySnapshot(meta, (m, file) => {
      fs.writeFileSync(file, randomBytes(m.state.sizeBytes));
      m.state.edgesSha256 = edgesSha256(file);
    });
    await expectRefused(request({ snapshotId: foreign }), 422, /not a QEMU migration stream/);
    await expectRefused(request({ snapshotId: meta.id, memoryMiB: 256 }), 409, /saved with 128 MiB of memory, not 256 MiB/);
    const otherQemu = copySnapshot(meta, (m) => void (m.binding.qemuVersion = "QEMU emulator version 6.2.0"));
    await expectRefused(request({ snapshotId: otherQemu }), 409, /saved by QEMU emulator version 6\.2\.0; this host runs QEMU emulator version/);
    const rebuilt = path.join(stateDir, "rebuilt.cpio");
    fs.writeFileSync(rebuilt, Buffer.concat([fs.readFileSync(image.initramfsPath), Buffer.alloc(512)]));
    await expectRefused(request({ snapshotId: meta.id, image: { ...image, initramfsPath: rebuilt } }), 409, /image "probe" was rebuilt since/);
    await expectRefused(request({ snapshotId: "s000000000000" }), 404, /No snapshot/);
  });

  it("a full disk while saving fails by name, leaves the VM running and no partial snapshot", async (ctx) => {
    const full = path.join(stateDir, "full");
    fs.mkdirSync(full);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", full]);
    } catch {
      ctx.skip(); // needs root and CAP_SYS_ADMIN
      return;
    }
    const vm = await engine().start(request());
    try {
      const store = createSnapshotStore(full);
      const b = await currentBinding({
        qemuBinary: "qemu-system-x86_64",
        spec: { memoryMiB: 128, cpus: 1, accel: TEST_ACCEL, kernel: kernelPath, initrd: image.initramfsPath },
        imageName: "probe",
      });
      const qemu = qemuDirs(stateDir, requireQemuUser(config.qemuUser));
      const err = await saveSnapshot(vm, { store, binding: b.binding, args: b.args, purpose: "manual", source: {}, resume: true, qemu }).catch(
        (e: unknown) => e,
      );
      expect(isIsolabError(err) && err.status).toBe(507);
      expect((err as Error).message).toMatch(/disk .* is full; the snapshot was not saved and the VM was left as it was/);
      expect(store.list()).toEqual([]);
      expect(fs.readdirSync(full)).toEqual([]);
      expect(await vm.qmp.execute("query-status", undefined, { schema: QmpStatusReply })).toMatchObject({ status: "running" });
      expect((await vm.exec("ping", [], { timeoutMs: 10_000 })).exitCode).toBe(0);
    } finally {
      await vm.stop({ timeoutMs: 3000 });
      execFileSync("umount", [full]);
    }
  });

  it("a warm launch builds the machine's template once and restores it from then on", async () => {
    const first = await engine().start(request({ warm: true }));
    let templateId: string | undefined;
    try {
      expect(first.startup.phases.map((p) => p.name)).toEqual(["template", "qemu-up", "state-loaded", "ready"]);
      templateId = first.snapshotId;
      const template = engine().snapshots.get(templateId!);
      expect(template).toMatchObject({ purpose: "template", hostname: "probe" });
    } finally {
      await first.stop({ timeoutMs: 3000 });
    }
    const req = request({ warm: true });
    const second = await engine().start(req);
    try {
      expect(second.snapshotId).toBe(templateId);
      expect(second.startup.phases.map((p) => p.name)).toEqual(["qemu-up", "state-loaded", "ready"]);
      console.log(`[warm] ${second.startup.totalMs} ms: ${second.startup.phases.map((p) => `${p.name} ${p.ms}`).join(", ")}`);
      expect((await guestInfo<SnapshotGuestInfo>(second)).hostname).toBe(req.name);
    } finally {
      await second.stop({ timeoutMs: 3000 });
    }
    // Another memory size is another template.
    const bigger = await engine().start(request({ warm: true, memoryMiB: 160 }));
    try {
      expect(bigger.snapshotId).not.toBe(templateId);
      expect(bigger.startup.phases[0].name).toBe("template");
    } finally {
      await bigger.stop({ timeoutMs: 3000 });
    }
    expect(
      engine()
        .snapshots.list()
        .filter((m) => m.purpose === "template"),
    ).toHaveLength(2);
    expect(fs.readdirSync(path.join(stateDir, "instances")).filter((d) => d.startsWith("tpl-"))).toEqual([]);
  });
});
