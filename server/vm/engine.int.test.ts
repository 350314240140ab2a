import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QmpStatusReply } from "@/lib/schemas/qmp";
import { ProbeInfoSchema } from "@/lib/metrics/guest-view";
import { parseLastJson } from "@/lib/probe/output";
import { TEST_ACCEL } from "@/server/app/test-support";
import { config } from "@/server/config";
import { MissingDependencyError, StartFailedError } from "@/server/errors";
import { getImage, getKernel } from "@/server/images/store";
import type { ImageRef, StartRequest } from "@/server/engine/contract";
import { resolveAccel } from "./accel";
import { createVmEngine, type VmHandle } from "./engine";
import { expectQemuEnvironment, qemusIn, vmFilesLeft } from "./test-helpers";

// Real QEMU under TEST_ACCEL (TCG unless ISOLAB_ACCEL=kvm) with the built kernel and probe image (npm run setup).
// A boot takes ≈1.5 s here; the suite keeps to a handful.

let kernelPath: string;
let kernelRelease: string;
let image: ImageRef;

let stateDir: string;
let counter = 0;
/** How long a normal boot took here, from the first boot test: time budgets below scale with this machine. */
let bootMs = 0;
const engine = () => createVmEngine({ stateDir, kernelPath, accel: TEST_ACCEL });

function request(patch: Partial<StartRequest> = {}): StartRequest {
  const id = `vm${++counter}`;
  return { id, name: `vm-${counter}`, image, memoryMiB: 128, cpus: 1, dir: path.join(stateDir, "instances", id), readyTimeoutMs: 20_000, ...patch };
}

beforeAll(async () => {
  // Throws MissingDependencyError naming `npm run setup` when not built.
  image = await getImage("probe");
  const kernel = await getKernel();
  kernelPath = kernel.path;
  kernelRelease = kernel.release;
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-vm-"));
});

afterAll(async () => {
  await engine().reconcile(stateDir); // anything a failed assertion left running
  expect(qemusIn(stateDir)).toEqual([]);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe("vm engine (QEMU, TCG)", () => {
  it("passes check(), and names what is missing", async () => {
    await expect(engine().check()).resolves.toBeUndefined();
    const noQemu = createVmEngine({ stateDir, kernelPath, qemuBinary: "/nonexistent/qemu-system-x86_64" });
    await expect(noQemu.check()).rejects.toMatchObject({ part: "qemu" });
    const noKernel = createVmEngine({ stateDir, kernelPath: path.join(stateDir, "no-vmlinux") });
    await expect(noKernel.check()).rejects.toBeInstanceOf(MissingDependencyError);
    await expect(noKernel.check()).rejects.toMatchObject({ part: "kernel" });
  });

  it("boots the probe to READY with its own kernel, answers QMP, and stops idempotently", async () => {
    const req = request();
    const h = (await engine().start(req)) as VmHandle;
    try {
      expect(h.accel).toBe(TEST_ACCEL);
      expect(h.startup.phases.map((p) => p.name)).toEqual(["qemu-up", "kernel", "ready"]);
      const sum = h.startup.phases.reduce((s, p) => s + p.ms, 0);
      expect(Math.abs(sum - h.startup.totalMs)).toBeLessThan(1);
      expect(h.startup.phases.every((p) => p.ms >= 0)).toBe(true);
      bootMs = h.startup.totalMs;
      console.log(`[vm boot] total ${h.startup.totalMs} ms: ${h.startup.phases.map((p) => `${p.name} ${p.ms}`).join(", ")}`);

      const [info, ping] = await Promise.all([h.exec("info", [], { timeoutMs: 15_000 }), h.exec("ping", [], { timeoutMs: 15_000 })]);
      expect(ping.exitCode).toBe(0);
      expect(info.exitCode).toBe(0);
      const guest = parseLastJson(info.output) as {
        kernelRelease: string;
        hostname: string;
        processCount: number;
        processes: { comm: string }[];
        memTotalKiB: number;
      };
      expect(guest.kernelRelease).toBe(kernelRelease);
      expect(guest.kernelRelease).not.toBe(os.release());
      expect(guest.hostname).toBe(req.name);
      expect(guest.processCount).toBeGreaterThan(20); // its own kernel threads
      expect(guest.processes.map((p) => p.comm)).toContain("kthreadd");
      expect(guest.memTotalKiB).toBeLessThan(128 * 1024);
      // The app's own memory as the guest kernel counts it (guest/README.md).
      const self = ProbeInfoSchema.parse(guest);
      expect(self.selfPssBytes).toBeGreaterThan(0);
      expect(self.selfPssBytes).toBeLessThanOrEqual(self.selfRssBytes!);

      const status = await h.qmp.execute("query-status", undefined, { schema: QmpStatusReply });
      expect(status).toMatchObject({ status: "running", running: true });
      expect(qemusIn(req.dir)).toHaveLength(1);
    } finally {
      await h.stop({ timeoutMs: 3000 });
    }
    await h.stop();
    await expect(h.exited).resolves.toMatchObject({ reason: "stopped by Isolab" });
    expect(qemusIn(req.dir)).toEqual([]);
    expect(vmFilesLeft(req.dir)).toEqual([]);
    await expect(h.exec("ping", [])).rejects.toThrow(/closed/);
  });

  it("runs QEMU confined: its seccomp filter on and an unprivileged user, read from /proc", async () => {
    const req = request();
    const h = (await engine().start(req)) as VmHandle;
    try {
      // Read from the kernel, not from Isolab: the QEMU whose pid file is in the instance directory.
      const pid = Number(fs.readFileSync(path.join(req.dir, "qemu.pid"), "utf8").trim());
      expect(pid).toBe(h.pid);
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]).toMatch(/qemu-system/);
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const field = (name: string) => status.match(new RegExp(`^${name}:\\s+(.*)$`, "m"))?.[1].split(/\s+/) ?? [];
      expect(field("Seccomp")).toEqual(["2"]);
      expect(field("NoNewPrivs")).toEqual(["1"]);
      const [ruid, euid, suid, fsuid] = field("Uid").map(Number);
      expect(ruid).not.toBe(0);
      expect([euid, suid, fsuid]).toEqual([ruid, ruid, ruid]);
      expect(field("Gid").map(Number)).not.toContain(0);
      expect(field("CapEff")).toEqual(["0000000000000000"]);
      expectQemuEnvironment(pid);
      // It may pass through its instance directory but not write there; the files it writes are Isolab's, group-writable.
      const [gid] = field("Gid").map(Number);
      expect(fs.statSync(req.dir)).toMatchObject({ uid: 0, gid, mode: fs.constants.S_IFDIR | 0o710 });
      expect(fs.statSync(path.join(req.dir, "console.log"))).toMatchObject({ uid: 0, gid, mode: fs.constants.S_IFREG | 0o660 });
      expect(fs.statSync(path.join(req.dir, "console.log")).size).toBeGreaterThan(0);
      expect(fs.statSync(stateDir).mode & 0o007).toBe(0);
      expect((await h.exec("ping", [], { timeoutMs: 15_000 })).exitCode).toBe(0);
      // The agent's settle (what a template waits for before its save): the kernel's final clocksource, not the boot-time tsc-early.
      const settled = await h.exec("settle", ["5000"], { timeoutMs: 15_000 });
      expect(settled.exitCode).toBe(0);
      expect(JSON.parse(settled.output.trim())).toMatchObject({ clocksource: expect.stringMatching(/^(?!tsc-early$)[\w-]+$/), waitedMs: expect.any(Number) });
    } finally {
      await h.stop({ timeoutMs: 3000 });
    }
    expect(qemusIn(req.dir)).toEqual([]);
  });

  it("fails a guest that never says READY, with the console tail and no QEMU left", async () => {
    // A later rdinit= wins: init becomes `cat`, which blocks on the console forever.
    const hangs = createVmEngine({ stateDir, kernelPath, accel: "tcg", extraKernelArgs: ["rdinit=/bin/cat", "loglevel=7"] });
    // Long enough for init to start on this machine: three normal boots, at least 6 s
    // (a fixed budget is a test of the machine: a loaded host once took longer than 6 s).
    const timeoutMs = Math.max(6000, Math.ceil(3 * bootMs));
    const req = request({ readyTimeoutMs: timeoutMs });
    const err = await hangs.start(req).catch((e) => e);
    expect(err).toBeInstanceOf(StartFailedError);
    expect(err.message).toMatch(new RegExp(`did not reach READY within ${timeoutMs} ms`));
    expect(err.details.consoleTail).toMatch(/Run \/bin\/cat as init process/);
    expect(qemusIn(req.dir)).toEqual([]);
    expect(vmFilesLeft(req.dir)).toEqual([]);
  }, 180_000);

  it("fails fast when the guest panics on a bogus initrd", async () => {
    const req = request();
    const bogus = path.join(stateDir, "bogus.cpio");
    fs.writeFileSync(bogus, Buffer.alloc(64 * 1024, 0x5a));
    const err = await engine()
      .start({ ...req, image: { ...image, initramfsPath: bogus } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(StartFailedError);
    expect(err.message).toMatch(/QEMU exited with code 0 before the guest was ready/);
    expect(err.details.consoleTail).toMatch(/Kernel panic/);
    expect(qemusIn(req.dir)).toEqual([]);
    expect(vmFilesLeft(req.dir)).toEqual([]);
  });

  it("fails when QEMU refuses its arguments, with QEMU's words in the tail", async () => {
    const badBios = createVmEngine({ stateDir, kernelPath, accel: "tcg", bios: "/nonexistent/bios.rom" });
    const req = request();
    const err = await badBios.start(req).catch((e) => e);
    expect(err).toBeInstanceOf(StartFailedError);
    expect(err.message).toMatch(/QEMU exited with code 1/);
    expect(err.details.consoleTail).toMatch(/bios/i);
    expect(vmFilesLeft(req.dir)).toEqual([]);
  });

  it("reconcile() kills a QEMU left by an earlier run and removes its files", async () => {
    const req = request();
    const h = await engine().start(req);
    // A fresh engine, as after an Isolab restart, knows the VM only from its pidfile.
    const removed = await createVmEngine({ stateDir, kernelPath }).reconcile(stateDir);
    expect(removed).toContain(`QEMU pid ${h.pid} of ${req.id}`);
    await expect(h.exited).resolves.toMatchObject({ signal: "SIGKILL", reason: "QEMU killed by SIGKILL" });
    expect(qemusIn(req.dir)).toEqual([]);
    expect(vmFilesLeft(req.dir)).toEqual([]);
    await h.stop(); // still idempotent after an outside kill
  });
});

describe("accelerator choice", () => {
  it("auto proves KVM by booting (or falls back to tcg with a reason) and caches the answer", async () => {
    const o = { qemuBinary: config.qemuBinary, kernelPath, initramfsPath: image.initramfsPath, stateDir, timeoutMs: 8000 };
    const first = await resolveAccel("auto", o);
    console.log(`[accel] ${first.accel}: ${first.reason}`);
    expect(["kvm", "tcg"]).toContain(first.accel);
    expect(first.reason.length).toBeGreaterThan(10);
    if (!fs.existsSync("/dev/kvm")) expect(first).toMatchObject({ accel: "tcg", reason: expect.stringMatching(/missing/) });
    const cached = JSON.parse(fs.readFileSync(path.join(stateDir, "accel.json"), "utf8"));
    expect(cached.decision).toEqual(first);
    const cacheWritten = fs.statSync(path.join(stateDir, "accel.json")).mtimeMs;
    await expect(resolveAccel("auto", o)).resolves.toEqual(first); // same checkedAt: no second boot
    expect(fs.statSync(path.join(stateDir, "accel.json")).mtimeMs).toBe(cacheWritten);
    expect(qemusIn(stateDir)).toEqual([]);
  });
});
