import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSmapsRollup } from "@/lib/host/procfs";
import { TEST_ACCEL } from "@/server/app/test-support";
import { isIsolabError } from "@/server/errors";
import { getImage, getKernel } from "@/server/images/store";
import type { ImageRef, StartRequest } from "@/server/engine/contract";
import { createVmEngine, type VmEngine } from "./engine";
import { stateTagOf } from "./vm-templates";
import { expectQemuEnvironment, guestInfo, qemusIn } from "./test-helpers";

// Real QEMU under TCG: clones of a shared-memory template and clones from
// the warm pool. Each must be its own guest (hostname, RNG) while its RAM
// is the template's file, shared (host view: PSS far below RSS). Then the
// faults: the pool refills after a waiting QEMU is killed, a truncated
// template file kills its clones (SIGBUS) and is rebuilt, a deleted one
// leaves its clones running, a full /dev/shm is a named error.

let image: ImageRef;
let kernelPath: string;
let stateDir: string;
let engine: VmEngine;
let counter = 0;
const MIB = 2 ** 20;

function request(patch: Partial<StartRequest> = {}): StartRequest {
  const id = `vm${++counter}`;
  return { id, name: `clone-${counter}`, image, memoryMiB: 128, cpus: 1, dir: path.join(stateDir, "instances", id), readyTimeoutMs: 30_000, ...patch };
}

interface GuestInfo {
  hostname: string;
  bootId: string;
  randomUuid: string;
}

/** A field of /proc/<pid>/status, split on whitespace. */
function procStatus(pid: number, name: string): string[] {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return status.match(new RegExp(`^${name}:\\s+(.*)$`, "m"))?.[1].split(/\s+/) ?? [];
}

/**
 * A clone's QEMU runs as the unprivileged QEMU user under its seccomp
 * filter, with Isolab's QEMU environment, as a cold VM's does, and lean
 * (launch.ts): no transparent huge pages.
 */
function expectConfinedAndLean(pid: number): void {
  expect(procStatus(pid, "Seccomp")).toEqual(["2"]);
  const [ruid, euid, suid, fsuid] = procStatus(pid, "Uid").map(Number);
  expect(ruid).not.toBe(0);
  expect([euid, suid, fsuid]).toEqual([ruid, ruid, ruid]);
  expect(procStatus(pid, "CapEff")).toEqual(["0000000000000000"]);
  expect(procStatus(pid, "THP_enabled")).toEqual(["0"]);
  expectQemuEnvironment(pid);
}

const smaps = (pid: number) => parseSmapsRollup(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
const ramFiles = () => fs.readdirSync("/dev/shm").filter((f) => f.startsWith(`isolab-${stateTagOf(stateDir)}-`));

async function waitFor(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  image = await getImage("probe");
  kernelPath = (await getKernel()).path;
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-tpl-"));
  engine = createVmEngine({ stateDir, kernelPath, accel: TEST_ACCEL, poolSize: 2 });
});

afterAll(async () => {
  await engine.shutdown();
  engine.templated.templates.removeAll();
  await engine.reconcile(stateDir);
  expect(qemusIn(stateDir)).toEqual([]);
  expect(ramFiles()).toEqual([]);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe("templated and pooled VMs (QEMU, TCG)", () => {
  it("starts three clones of one template: each its own guest (hostname, RNG), their RAM shared (PSS far below RSS)", async () => {
    const clones = [];
    try {
      for (let i = 0; i < 3; i++) clones.push(await engine.start(request({ startMode: "template" })));
      expect(clones.map((c) => c.startMode)).toEqual(["template", "template", "template"]);
      expect(clones[0].startup.phases.map((p) => p.name)).toEqual(["template", "qemu-up", "state-loaded", "ready"]);
      expect(clones[1].startup.phases.map((p) => p.name)).toEqual(["qemu-up", "state-loaded", "ready"]);
      expect(ramFiles()).toHaveLength(1);
      for (const c of clones) expectConfinedAndLean(c.pid);
      // The guest RAM is root's, readable and writable by QEMU's group only (vm-templates.ts createRamFile).
      const [gid] = procStatus(clones[0].pid, "Gid").map(Number);
      expect(fs.statSync(path.join("/dev/shm", ramFiles()[0]))).toMatchObject({ uid: 0, gid, mode: fs.constants.S_IFREG | 0o660 });

      const infos = await Promise.all(clones.map((c) => guestInfo<GuestInfo>(c)));
      expect(infos.map((g) => g.hostname)).toEqual(clones.map((_, i) => `clone-${counter - 2 + i}`));
      // The RNG is each clone's own after the reseed; the boot id is the template's (fixed at its boot).
      expect(new Set(infos.map((g) => g.randomUuid)).size).toBe(3);
      expect(new Set(infos.map((g) => g.bootId)).size).toBe(1);

      for (const c of clones) {
        const m = smaps(c.pid);
        console.log(`[templated] clone pid ${c.pid}: RSS ${(m.rssBytes / MIB).toFixed(1)} MiB, PSS ${(m.pssBytes / MIB).toFixed(1)} MiB`);
        // Three clones map one file: the shared part of each one's RSS is split three (or more) ways.
        expect(m.pssBytes).toBeLessThan(m.rssBytes * 0.8);
      }
    } finally {
      await Promise.all(clones.map((c) => c.stop()));
    }
  });

  it("fills a pool after the first templated start; a pooled start only attaches, and a killed waiting QEMU is replaced", async () => {
    await waitFor("the pool to fill", () => engine.templated.pool.status()[0]?.waiting === 2);
    const [slot] = engine.templated.pool.status();
    const usage = engine.templated.poolUsage()[0];
    expect(usage.pssBytes).toBeGreaterThan(0);
    console.log(`[pool] ${slot.waiting} waiting: PSS ${(usage.pssBytes / MIB).toFixed(1)} MiB, RSS ${(usage.rssBytes / MIB).toFixed(1)} MiB`);

    const a = await engine.start(request({ startMode: "pooled" }));
    const b = await engine.start(request({ startMode: "pooled" }));
    try {
      expect([a.startMode, b.startMode]).toEqual(["pooled", "pooled"]);
      expect(a.startup.phases.map((p) => p.name)).toEqual(["pool", "ready"]);
      expect(slot.pids).toContain(a.pid);
      expectConfinedAndLean(a.pid);
      const [ga, gb] = await Promise.all([guestInfo<GuestInfo>(a), guestInfo<GuestInfo>(b)]);
      expect([ga.hostname, gb.hostname]).toEqual([`clone-${counter - 1}`, `clone-${counter}`]);
      expect(ga.randomUuid).not.toBe(gb.randomUuid);
      // Their RAM is the template's file too, shared with each other and the waiting clones.
      for (const c of [a, b]) {
        const m = smaps(c.pid);
        expect(m.pssBytes).toBeLessThan(m.rssBytes * 0.8);
      }
      // Its files now live in the instance's directory: reconcile finds it there.
      const dir = path.join(stateDir, "instances", `vm${counter - 1}`);
      expect(fs.readFileSync(path.join(dir, "qemu.pid"), "utf8").trim()).toBe(String(a.pid));
      expect(fs.existsSync(path.join(dir, "console.log"))).toBe(true);

      await waitFor("the pool to refill", () => engine.templated.pool.status()[0]?.waiting === 2);
      const victim = engine.templated.pool.status()[0].pids[0];
      process.kill(victim, "SIGKILL");
      await waitFor("a replacement", () => {
        const s = engine.templated.pool.status()[0];
        return s.waiting === 2 && !s.pids.includes(victim);
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("a template file truncated under a running clone kills it with SIGBUS, named, and is rebuilt; one deleted under a running clone leaves it running", async () => {
    for (const s of engine.templated.pool.status()) await engine.templated.pool.drain(s.key);
    const clone = await engine.start(request({ startMode: "template" }));
    const [file] = ramFiles();
    fs.truncateSync(path.join("/dev/shm", file), 0);
    // Any page the clone had not copied is now past the end of the file.
    const touched = clone.exec("mem", ["64"], { timeoutMs: 20_000 }).catch(() => undefined);
    const exit = await Promise.race([clone.exited, touched.then(() => clone.exited)]);
    expect(exit.signal).toBe("SIGBUS");
    expect(exit.reason).toMatch(/RAM file was truncated/);
    const next = await engine.start(request({ startMode: "template" }));
    try {
      expect(next.startup.phases[0].name).toBe("template");
      const name = `clone-${counter}`;
      expect((await guestInfo<GuestInfo>(next)).hostname).toBe(name);
      // Deleted, not truncated: the unlinked file lives on while a clone maps it.
      fs.rmSync(path.join("/dev/shm", file));
      expect(ramFiles()).toEqual([]);
      const mem = await next.exec("mem", ["64"], { timeoutMs: 20_000 });
      expect(mem.exitCode).toBe(0);
      expect((await guestInfo<GuestInfo>(next)).hostname).toBe(name);
    } finally {
      await next.stop();
    }
    // It ran until Isolab stopped it (a fault would have ended it first, with its own reason).
    expect((await next.exited).reason).toBe("stopped by Isolab");
  });

  it("refuses a pooled start while the pool is off, and a template that /dev/shm cannot hold, naming both; nothing is left", async () => {
    const off = createVmEngine({ stateDir, kernelPath, accel: TEST_ACCEL, poolSize: 0 });
    const err = await off.start(request({ startMode: "pooled" })).catch((e: unknown) => e);
    expect(isIsolabError(err) && err.status).toBe(409);
    expect((err as Error).message).toMatch(/ISOLAB_VM_POOL_SIZE/);

    const before = ramFiles();
    const req = request({ startMode: "template", memoryMiB: 4096 });
    const tiny = fs.mkdtempSync(path.join("/dev/shm", "isolab-tpl-test-"));
    const full = createVmEngine({ stateDir, kernelPath, accel: TEST_ACCEL, shmDir: tiny });
    // A directory cannot shrink a tmpfs: ask for more than it has free instead.
    const freeMiB = Math.floor((fs.statfsSync(tiny).bavail * fs.statfsSync(tiny).bsize) / MIB);
    const huge = await full.start({ ...req, memoryMiB: freeMiB + 1 }).catch((e: unknown) => e);
    fs.rmSync(tiny, { recursive: true, force: true });
    expect(isIsolabError(huge) && huge.status).toBe(507);
    expect((huge as Error).message).toMatch(/MiB free/);
    expect(ramFiles()).toEqual(before);
    expect(qemusIn(req.dir)).toEqual([]);
  });
});
