import "server-only";
import fs from "node:fs";
import path from "node:path";
import { cgroupModeFromMountinfo, parseControllers, parseMountinfoCgroups } from "@/lib/host/cgroup-placement";
import type { DoctorFacts, ToolFact } from "@/lib/host/doctor";
import type { IsolabConfig } from "@/server/config";
import { readPlacement, unitProperties } from "@/server/container/cgroup-placement";
import { findOnPath } from "@/server/host/find-on-path";
import { runCommand } from "@/server/host/run-command";
import { cachedAccel, checkKvmDevice, qemuVersion } from "@/server/vm/accel";
import { SHIM_NAME } from "@/server/container/engine";
import { CGEXEC_NAME } from "@/server/process/engine";
import { createVmEngine, NOTHP_NAME } from "@/server/vm/engine";
import { QEMU_LIBS_DIR, qemuLibs } from "@/server/vm/qemu-libs";
import { tryContainer } from "./container-trial";

// The host facts `npm run doctor` judges (lib/host/doctor.ts). Each reader
// reports what it found or why not; none throws for a missing part.

/** Binary on PATH → the Debian package that ships it. */
export const TOOLS: Record<string, { pkg: string; bin: string }> = {
  "qemu-system-x86_64": { pkg: "qemu-system-x86", bin: "qemu-system-x86_64" },
  runc: { pkg: "runc", bin: "runc" },
  crun: { pkg: "crun", bin: "crun" },
  "busybox-static": { pkg: "busybox-static", bin: "busybox" },
  umoci: { pkg: "umoci", bin: "umoci" },
  skopeo: { pkg: "skopeo", bin: "skopeo" },
  "docker-registry": { pkg: "docker-registry", bin: "docker-registry" },
  prometheus: { pkg: "prometheus", bin: "promtool" },
};

/** Installed Debian package versions (dpkg-query); empty without dpkg. */
async function packageVersions(pkgs: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  try {
    const r = await runCommand("dpkg-query", ["-W", "-f=${Package} ${Version} ${db:Status-Status}\\n", ...pkgs], { timeoutMs: 10_000 });
    for (const line of r.output.split("\n")) {
      const [pkg, version, status] = line.trim().split(" ");
      if (pkg && version && status === "installed") found.set(pkg, version);
    }
  } catch {
    // no dpkg (not Debian): versions stay unknown
  }
  return found;
}

async function readTools(qemuBinary: string): Promise<Record<string, ToolFact>> {
  const versions = await packageVersions(Object.values(TOOLS).map((t) => t.pkg));
  const out: Record<string, ToolFact> = {};
  for (const [name, t] of Object.entries(TOOLS)) {
    const bin = name === "qemu-system-x86_64" ? qemuBinary : t.bin;
    out[name] = { pkg: t.pkg, path: bin.includes("/") && !fs.existsSync(bin) ? null : (findOnPath(bin) ?? null), version: versions.get(t.pkg) ?? null };
  }
  const qemu = out["qemu-system-x86_64"];
  if (qemu.path) qemu.version = await qemuVersion(qemu.path).catch(() => qemu.version);
  return out;
}

const read = (file: string): string | null => {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
};

export function readCgroupFacts(): DoctorFacts["cgroup"] {
  const mountinfo = fs.readFileSync("/proc/self/mountinfo", "utf8");
  const mode = cgroupModeFromMountinfo(mountinfo);
  const placement = readPlacement();
  const own = /^0::(\/.*)$/m.exec(read("/proc/self/cgroup") ?? "")?.[1] ?? null;
  let rootControllers: string[];
  let subtreeControllers: string[];
  if (mode === "v2") {
    const v2 = parseMountinfoCgroups(mountinfo).find((m) => m.version === 2)!.mountPoint;
    rootControllers = parseControllers(read(path.join(v2, "cgroup.subtree_control")) ?? "");
    // A delegated cgroup may enable what its parent handed it (cgroup.controllers); /isolab gets the root's subtree_control.
    subtreeControllers = placement.delegatedRoot ? parseControllers(read(path.join(v2, placement.delegatedRoot, "cgroup.controllers")) ?? "") : rootControllers;
  } else {
    // v1: one hierarchy per controller; blkio is what v2 calls io.
    const v1 = parseMountinfoCgroups(mountinfo)
      .filter((m) => m.version === 1)
      .flatMap((m) => m.controllers);
    rootControllers = [...new Set(v1.map((c) => (c === "blkio" ? "io" : c)))];
    subtreeControllers = rootControllers;
  }
  return {
    mode,
    rootControllers,
    subtreeControllers,
    parent: placement.parent,
    placementWhy: placement.why,
    delegated: placement.delegatedRoot !== null,
    ownCgroup: own,
  };
}

async function readAccel(config: IsolabConfig, qemuOk: boolean): Promise<DoctorFacts["accel"]> {
  let kvmDeviceError: string | null = null;
  try {
    checkKvmDevice();
  } catch (err) {
    kvmDeviceError = (err as Error).message;
  }
  const flags = /^flags\s*:(.*)$/m.exec(read("/proc/cpuinfo") ?? "")?.[1].split(/\s+/) ?? [];
  const nested = (read("/sys/module/kvm_intel/parameters/nested") ?? read("/sys/module/kvm_amd/parameters/nested"))?.trim() ?? null;
  const base = {
    configured: config.accel,
    kvmDeviceError,
    cpuFlags: { vmx: flags.includes("vmx"), svm: flags.includes("svm"), hypervisor: flags.includes("hypervisor") },
    nested,
    pvm: fs.existsSync("/sys/module/kvm_pvm"),
  };
  if (!qemuOk || !fs.existsSync(config.kernelPath)) return { ...base, decision: null, probeError: "QEMU or the guest kernel is missing" };
  // The same probe and cache (<stateDir>/accel.json) the VM engine uses, as `auto` sees it.
  const before = cachedAccel(config.stateDir)?.checkedAt;
  try {
    const d = await createVmEngine({ stateDir: config.stateDir, kernelPath: config.kernelPath, qemuBinary: config.qemuBinary, accel: "auto" }).accel();
    return { ...base, decision: { accel: d.accel, reason: d.reason, source: before === d.checkedAt ? "cache" : "probe" } };
  } catch (err) {
    return { ...base, decision: null, probeError: (err as Error).message };
  }
}

/** The state directory's filesystem (its nearest existing ancestor before the first run). */
function freeBytes(dir: string): { path: string; freeBytes: number } {
  let p = path.resolve(dir);
  while (!fs.existsSync(p) && p !== path.dirname(p)) p = path.dirname(p);
  const st = fs.statfsSync(p);
  return { path: p, freeBytes: st.bavail * st.bsize };
}

/** What set-up builds into <data>/bin, and what refuses to start without each. */
const HOST_HELPERS = [
  { name: SHIM_NAME, neededFor: "containers", essential: true },
  { name: CGEXEC_NAME, neededFor: "bare processes in their own cgroup", essential: true },
  { name: NOTHP_NAME, neededFor: "templated and pooled VMs", essential: false },
] as const;

/** isolab.service as systemd knows it: the doctor itself runs outside it, in the caller's session. */
function readService(): DoctorFacts["service"] {
  if (!fs.existsSync("/run/systemd/system")) return null;
  const p = unitProperties("isolab.service", ["LoadState", "ActiveState", "Delegate"]);
  return p ? { loadState: p.LoadState ?? "", activeState: p.ActiveState ?? "", delegate: p.Delegate === "yes" } : null;
}

export async function gatherFacts(config: IsolabConfig): Promise<DoctorFacts> {
  const tools = await readTools(config.qemuBinary);
  const probeRootfs = path.join(config.imagesDir, "probe", "rootfs");
  const probeImage = { path: path.join(config.imagesDir, "probe"), exists: fs.existsSync(path.join(probeRootfs, "bin", "probe")) };
  const cgroup = readCgroupFacts();
  // One after the other: each trial is a real container start.
  const runc = await tryContainer(config, "runc", probeImage.exists);
  const crun = await tryContainer(config, "crun", probeImage.exists);
  const ksmRun = read("/sys/kernel/mm/ksm/run");
  return {
    nodeVersion: process.version,
    uid: process.getuid?.() ?? -1,
    tools,
    kernel: { path: config.kernelPath, exists: fs.existsSync(config.kernelPath) },
    probeImage,
    helpers: HOST_HELPERS.map((h) => {
      const p = path.join(config.dataDir, "bin", h.name);
      return { ...h, path: p, exists: fs.existsSync(p) };
    }),
    qemuLibs: qemuLibs(config.qemuBinary, path.join(config.dataDir, QEMU_LIBS_DIR)),
    cgroup,
    configuredRuntime: config.ociRuntime,
    runtimes: { runc, crun },
    accel: await readAccel(config, tools["qemu-system-x86_64"].path !== null),
    disk: freeBytes(config.stateDir),
    ksm: { present: ksmRun !== null, run: ksmRun?.trim() ?? null },
    service: readService(),
  };
}
