import "server-only";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Accel } from "@/lib/core/types";
import { buildQemuArgs } from "@/lib/vm/qemu-args";
import { config } from "@/server/config";
import { killGroup, launchQemu, LaunchError, removeFiles } from "./launch";
import type { QemuDirs } from "@/server/host/qemu-user";

// Which accelerator VMs use, and why. /dev/kvm opening is not proof: on a
// nested-PVM host a normal guest under -accel kvm hangs after the firmware
// (ARCHITECTURE.md, "Hosts it has run on"). So `auto` boots the real image once under
// KVM with a short timeout, falls back to TCG, and caches the answer per
// (guest kernel, QEMU version, host kernel) in <stateDir>/accel.json.

export type AccelChoice = "auto" | "kvm" | "tcg";

export interface AccelDecision {
  accel: Accel;
  reason: string;
  checkedAt: string;
}

export interface AccelProbeOptions {
  qemuBinary: string;
  kernelPath: string;
  initramfsPath: string;
  stateDir: string;
  bios?: string;
  timeoutMs?: number;
  kvmDevice?: string;
  /** Known QEMU version; asked from qemuBinary when absent. */
  qemuVersion?: string;
  /** The QEMU user and its directories; the probe's QEMU is confined like every other. */
  qemu?: () => QemuDirs;
  /** Boots one KVM guest to READY; injected by unit tests. */
  bootKvm?: (o: AccelProbeOptions & { timeoutMs: number }) => Promise<number>;
}

export const DEFAULT_KVM_PROBE_MS = 8_000;
const exec = promisify(execFile);

/** Throws with a reason when /dev/kvm cannot be opened read-write. */
export function checkKvmDevice(device = "/dev/kvm"): void {
  let fd: number;
  try {
    fd = fs.openSync(device, "r+");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${device} is missing (no KVM on this host)` : `cannot open ${device}: ${code}`);
  }
  fs.closeSync(fd);
}

export async function qemuVersion(qemuBinary: string): Promise<string> {
  const { stdout } = await exec(qemuBinary, ["--version"], { timeout: 10_000 });
  return stdout.split("\n")[0].trim();
}

async function cacheKey(o: AccelProbeOptions): Promise<string> {
  const st = fs.statSync(o.kernelPath);
  return JSON.stringify({
    kernel: `${path.resolve(o.kernelPath)}:${st.size}:${Math.round(st.mtimeMs)}`,
    qemu: o.qemuVersion ?? (await qemuVersion(o.qemuBinary)),
    hostKernel: os.release(),
  });
}

function hostHint(): string {
  // kvm_pvm is the nested-PVM KVM module: KVM_CREATE_VM works, guests hang.
  return fs.existsSync("/sys/module/kvm_pvm") ? "nested PVM host (kvm_pvm loaded)" : "host KVM cannot run this guest";
}

/** Boots the real image under KVM; resolves with ms to READY or throws LaunchError. */
async function bootKvmOnce(o: AccelProbeOptions & { timeoutMs: number }): Promise<number> {
  const dir = path.join(o.stateDir, "kvm-probe");
  const qemu = o.qemu?.();
  const p = (f: string) => path.join(dir, f);
  if (qemu) qemu.instanceDir(dir, [p("console.log"), p("qemu.pid")]);
  else fs.mkdirSync(dir, { recursive: true });
  const paths = { qmpSocket: p("qmp.sock"), agentSocket: p("agent.sock"), qemuLog: p("qemu.err"), pidfile: p("qemu.pid") };
  const args = buildQemuArgs({
    ...paths,
    memoryMiB: 128,
    cpus: 1,
    accel: "kvm",
    kernel: o.kernelPath,
    initrd: o.initramfsPath,
    bios: o.bios,
    consoleLog: p("console.log"),
    hostname: "kvm-probe",
  });
  try {
    const vm = await launchQemu({ ...paths, qemuBinary: o.qemuBinary, args, readyTimeoutMs: o.timeoutMs, user: qemu?.user });
    await killGroup(vm.child, vm.exit);
    return vm.ready.at - vm.spawnAt;
  } catch (err) {
    // QEMU's own last words (e.g. "failed to set MSR") say more than a timeout.
    const said = fs.existsSync(paths.qemuLog) ? fs.readFileSync(paths.qemuLog, "utf8").trim().split("\n").slice(-2).join("; ") : "";
    if (err instanceof LaunchError && said) err.message += ` (QEMU said: ${said})`;
    throw err;
  } finally {
    removeFiles(Object.values(paths));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function probeKvm(o: AccelProbeOptions): Promise<AccelDecision> {
  const checkedAt = new Date().toISOString();
  try {
    checkKvmDevice(o.kvmDevice);
  } catch (err) {
    return { accel: "tcg", reason: (err as Error).message, checkedAt };
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_KVM_PROBE_MS;
  try {
    const ms = await (o.bootKvm ?? bootKvmOnce)({ ...o, timeoutMs });
    return { accel: "kvm", reason: `a KVM guest reached READY in ${Math.round(ms)} ms`, checkedAt };
  } catch (err) {
    const timedOut = err instanceof LaunchError && !err.exit && /did not reach READY/.test(err.message);
    const reason = timedOut
      ? `KVM guest did not reach READY within ${timeoutMs / 1000} s: ${hostHint()}`
      : `KVM guest failed: ${(err as Error).message}; ${hostHint()}`;
    return { accel: "tcg", reason, checkedAt };
  }
}

const inFlight = new Map<string, Promise<AccelDecision>>();
let lastDecision: AccelDecision | undefined;

/** The accelerator for new VMs. Forced `kvm` throws, with the reason, where a KVM guest cannot boot. */
export async function resolveAccel(choice: AccelChoice, o: AccelProbeOptions): Promise<AccelDecision> {
  lastDecision = await decideAccel(choice, o);
  return lastDecision;
}

async function decideAccel(choice: AccelChoice, o: AccelProbeOptions): Promise<AccelDecision> {
  const checkedAt = new Date().toISOString();
  if (choice === "tcg") return { accel: "tcg", reason: "forced by ISOLAB_ACCEL=tcg", checkedAt };
  if (choice === "kvm") {
    checkKvmDevice(o.kvmDevice);
    // An openable /dev/kvm is not proof (a nested-PVM host hangs the guest):
    // forcing KVM still needs the probe's boot, so a start fails with its
    // reason instead of waiting out the ready timeout.
    const probed = await probedAccel(o);
    if (probed.accel !== "kvm") throw new Error(`KVM does not work on this host: ${probed.reason}`);
    return { accel: "kvm", reason: `forced by ISOLAB_ACCEL=kvm (${probed.reason})`, checkedAt };
  }
  return probedAccel(o);
}

/** The probe's decision for this (guest kernel, QEMU, host kernel): cached in accel.json, else one boot. */
async function probedAccel(o: AccelProbeOptions): Promise<AccelDecision> {
  const cacheFile = path.join(o.stateDir, "accel.json");
  const key = await cacheKey(o);
  try {
    const cached = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as { key?: string; decision?: AccelDecision };
    if (cached.key === key && cached.decision?.accel && cached.decision.reason) return cached.decision;
  } catch {
    // missing or unreadable: probe again
  }
  // Concurrent first starts share one probe boot.
  const memoKey = `${cacheFile}\n${key}`;
  let pending = inFlight.get(memoKey);
  if (!pending) {
    pending = probeKvm(o).then((decision) => {
      fs.mkdirSync(o.stateDir, { recursive: true });
      fs.writeFileSync(cacheFile, JSON.stringify({ key, decision }, null, 2) + "\n");
      return decision;
    });
    inFlight.set(memoKey, pending);
    void pending.finally(() => inFlight.delete(memoKey)).catch(() => {});
  }
  return pending;
}

/** The cached decision, without probing. */
export function cachedAccel(stateDir: string): AccelDecision | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(stateDir, "accel.json"), "utf8")) as { decision?: AccelDecision }).decision;
  } catch {
    return undefined;
  }
}

/** What the UI and API show: the last decision of this process, else the cached probe; null before any. */
export function knownAccelerator(stateDir = config.stateDir): AccelDecision | null {
  if (lastDecision) return lastDecision;
  if (config.accel !== "auto") return { accel: config.accel, reason: `forced by ISOLAB_ACCEL=${config.accel}`, checkedAt: new Date().toISOString() };
  return cachedAccel(stateDir) ?? null;
}
