import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveAccel, probeKvm, type AccelProbeOptions } from "./accel";
import { LaunchError } from "./launch";

// The decision logic with the KVM boot injected; engine.int.test.ts boots for real.

let dir: string;
let opts: AccelProbeOptions;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-accel-"));
  const kernelPath = path.join(dir, "vmlinux");
  fs.writeFileSync(kernelPath, "kernel");
  const kvmDevice = path.join(dir, "kvm");
  fs.writeFileSync(kvmDevice, ""); // stands in for an openable /dev/kvm
  opts = { qemuBinary: "qemu", qemuVersion: "QEMU 7.2.22", kernelPath, initramfsPath: "/i.cpio", stateDir: dir, kvmDevice };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("probeKvm", () => {
  it("falls back to tcg when the device is missing, without booting", async () => {
    const bootKvm = vi.fn();
    const d = await probeKvm({ ...opts, kvmDevice: path.join(dir, "nope"), bootKvm });
    expect(d).toMatchObject({ accel: "tcg", reason: expect.stringMatching(/nope is missing/) });
    expect(bootKvm).not.toHaveBeenCalled();
  });

  it("chooses kvm when the guest reaches READY", async () => {
    const d = await probeKvm({ ...opts, bootKvm: async () => 412.3 });
    expect(d).toMatchObject({ accel: "kvm", reason: "a KVM guest reached READY in 412 ms" });
  });

  it("says so when the KVM guest hangs past the timeout", async () => {
    const bootKvm = async () => {
      throw new LaunchError("the guest did not reach READY within 8000 ms");
    };
    const d = await probeKvm({ ...opts, timeoutMs: 8000, bootKvm });
    expect(d.accel).toBe("tcg");
    expect(d.reason).toMatch(/^KVM guest did not reach READY within 8 s: /);
  });

  it("passes on QEMU's own failure", async () => {
    const bootKvm = async () => {
      throw new LaunchError("QEMU killed by SIGABRT before the guest was ready", { code: null, signal: "SIGABRT" });
    };
    expect((await probeKvm({ ...opts, bootKvm })).reason).toMatch(/^KVM guest failed: QEMU killed by SIGABRT/);
  });
});

describe("resolveAccel", () => {
  it("honours forced choices", async () => {
    await expect(resolveAccel("tcg", opts)).resolves.toMatchObject({ accel: "tcg", reason: "forced by ISOLAB_ACCEL=tcg" });
    await expect(resolveAccel("kvm", { ...opts, bootKvm: async () => 300 })).resolves.toMatchObject({ accel: "kvm" });
    await expect(resolveAccel("kvm", { ...opts, kvmDevice: path.join(dir, "nope") })).rejects.toThrow(/missing/);
  });

  it("refuses forced kvm with the probe's reason where a KVM guest cannot boot (no hang)", async () => {
    const bootKvm = async () => {
      throw new LaunchError("QEMU exited with code 1 before the guest was ready (QEMU said: failed to set MSR 0x10a)", { code: 1, signal: null });
    };
    await expect(resolveAccel("kvm", { ...opts, bootKvm })).rejects.toThrow(/^KVM does not work on this host: KVM guest failed: .*failed to set MSR 0x10a/);
  });

  it("probes once, caches in accel.json and shares a probe between concurrent callers", async () => {
    const bootKvm = vi.fn(async () => 300);
    const [a, b] = await Promise.all([resolveAccel("auto", { ...opts, bootKvm }), resolveAccel("auto", { ...opts, bootKvm })]);
    expect(a).toEqual(b);
    expect(bootKvm).toHaveBeenCalledTimes(1);
    await resolveAccel("auto", { ...opts, bootKvm });
    expect(bootKvm).toHaveBeenCalledTimes(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "accel.json"), "utf8")).decision).toEqual(a);
  });

  it("probes again when QEMU or the kernel changed", async () => {
    const bootKvm = vi.fn(async () => 300);
    await resolveAccel("auto", { ...opts, bootKvm });
    await resolveAccel("auto", { ...opts, bootKvm, qemuVersion: "QEMU 8.0.0" });
    expect(bootKvm).toHaveBeenCalledTimes(2);
    fs.writeFileSync(opts.kernelPath, "another kernel");
    await resolveAccel("auto", { ...opts, bootKvm, qemuVersion: "QEMU 8.0.0" });
    expect(bootKvm).toHaveBeenCalledTimes(3);
  });
});
