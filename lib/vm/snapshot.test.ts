import { describe, expect, it } from "vitest";
import { buildQemuArgs } from "@/lib/vm/qemu-args";
import type { SnapshotBinding } from "@/lib/schemas/snapshot";
import { compareBinding, instantiateArgs, isMigrationStreamHeader, machineArgs, restoreStartupPhases, type MachineSpec } from "./snapshot";

const spec: MachineSpec = { memoryMiB: 128, cpus: 1, accel: "tcg", kernel: "/k/vmlinux", initrd: "/i/initramfs.cpio", bios: "/fw/qboot.rom" };
const paths = { consoleLog: "/s/a,b/console.log", qmpSocket: "/s/q.sock", agentSocket: "/s/a.sock", termSocket: "/s/t,u.sock", pidfile: "/s/a,b/qemu.pid" };

describe("machineArgs / instantiateArgs", () => {
  it("fills a new instance's paths into the same arguments a cold boot of that machine gets", () => {
    expect(instantiateArgs(machineArgs(spec), paths, "isolab-vm-1")).toEqual(buildQemuArgs({ ...spec, ...paths, name: "isolab-vm-1" }));
  });

  it("keeps per-instance paths, names and hostnames out of the bound arguments", () => {
    const a = machineArgs(spec).join(" ");
    expect(a).not.toMatch(/\/s\/|isolab\.hostname|-name/);
    expect(machineArgs({ ...spec, memoryMiB: 256 })).not.toEqual(machineArgs(spec));
  });
});

const fp = (sha: string) => ({ path: "/x", sizeBytes: 1, mtimeMs: 1, sha256: sha.repeat(64) });
const base: SnapshotBinding = {
  qemuVersion: "QEMU emulator version 7.2.22",
  machine: { memoryMiB: 128, cpus: 1, accel: "tcg" },
  argsHash: "a".repeat(64),
  kernel: fp("1"),
  image: { name: "probe", initramfs: fp("2") },
  bios: fp("3"),
};

describe("compareBinding", () => {
  it("finds nothing to refuse in an equal binding", () => {
    expect(compareBinding(base, structuredClone(base))).toEqual([]);
  });

  it.each<[string, (b: SnapshotBinding) => void, RegExp]>([
    [
      "QEMU version",
      (b) => void (b.qemuVersion = "QEMU emulator version 8.0.0"),
      /saved by QEMU emulator version 7\.2\.22; this host runs QEMU emulator version 8\.0\.0/,
    ],
    ["memory", (b) => void (b.machine.memoryMiB = 256), /saved with 128 MiB of memory, not 256 MiB/],
    ["vCPUs", (b) => void (b.machine.cpus = 2), /saved with 1 vCPU, not 2/],
    ["accelerator", (b) => void (b.machine.accel = "kvm"), /saved under TCG, not KVM/],
    ["kernel", (b) => void (b.kernel = fp("9")), /guest kernel changed \(111111111111 → 999999999999\)/],
    ["image name", (b) => void (b.image.name = "other"), /of image "probe", not "other"/],
    ["image build", (b) => void (b.image.initramfs = fp("8")), /image "probe" was rebuilt since/],
    ["firmware", (b) => void (b.bios = null), /firmware/],
    ["other arguments", (b) => void (b.argsHash = "b".repeat(64)), /other QEMU arguments/],
  ])("names a different %s", (_what, change, reason) => {
    const current = structuredClone(base);
    change(current);
    const reasons = compareBinding(base, current);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(reason);
  });

  it("names specific reasons, not the argument hash they also change", () => {
    const current = { ...structuredClone(base), argsHash: "c".repeat(64), machine: { memoryMiB: 64, cpus: 2, accel: "tcg" as const } };
    expect(compareBinding(base, current)).toEqual(["it was saved with 128 MiB of memory, not 64 MiB", "it was saved with 1 vCPU, not 2"]);
  });
});

describe("isMigrationStreamHeader", () => {
  it.each<[string, number[], boolean]>([
    ["QEVM v3", [0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 3, 7], true],
    ["another version", [0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 2], false],
    ["an ELF file", [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], false],
    ["too short", [0x51, 0x45, 0x56], false],
  ])("%s → %s", (_n, bytes, ok) => expect(isMigrationStreamHeader(Uint8Array.from(bytes))).toBe(ok));
});

describe("restoreStartupPhases", () => {
  it("splits asked → greeting → loaded → answered, and the phases add up", () => {
    const s = restoreStartupPhases({ askedAt: 100, spawnAt: 101.2, greetingAt: 126.05, loadedAt: 160.33, readyAt: 211.9 });
    expect(s.phases.map((p) => p.name)).toEqual(["qemu-up", "state-loaded", "ready"]);
    expect(s.totalMs).toBe(111.9);
    expect(s.phases[0].ms).toBe(26.1);
    expect(s.phases.reduce((a, p) => a + p.ms, 0)).toBeCloseTo(s.totalMs, 6);
  });

  it("puts a template built on the way in a phase of its own", () => {
    const s = restoreStartupPhases({ askedAt: 0, spawnAt: 2000, greetingAt: 2025, loadedAt: 2060, readyAt: 2110, builtTemplate: true });
    expect(s.phases).toEqual([
      { name: "template", ms: 2000 },
      { name: "qemu-up", ms: 25 },
      { name: "state-loaded", ms: 35 },
      { name: "ready", ms: 50 },
    ]);
  });

  it("never goes negative when clocks arrive out of order", () => {
    const s = restoreStartupPhases({ askedAt: 10, spawnAt: 5, greetingAt: 4, loadedAt: 30, readyAt: 20 });
    expect(s.phases.every((p) => p.ms >= 0)).toBe(true);
    expect(s.totalMs).toBe(20);
  });
});
