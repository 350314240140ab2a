import "server-only";
import fs from "node:fs";
import path from "node:path";
import { v1MountFor } from "@/lib/host/cgroup-mounts";
import { hostCgroups, removeCgroup, type HostCgroups } from "@/server/container/cgroup";
import { isolabCgroupParent, isolabCgroupPath } from "@/server/container/cgroup-placement";

// The bare process has no namespaces (it is the baseline), but it must not
// take the host: it and every command run beside it live in a cgroup of their
// own, `isolab/<id>` like a container's, with the memory, CPU and pids it was
// given. Isolab makes this cgroup itself (for a container the runtime does),
// and the processes join it through isolab-cgexec before their first
// instruction. Its usage is still read from /proc, as before, so the
// baseline's numbers mean what they meant; the cgroup only enforces.

const MIB = 1024 * 1024;
const CPU_PERIOD_US = 100_000;
/** Enough for the probe and a few concurrent commands; a fork bomb stops here. */
export const PROCESS_PIDS_MAX = 256;
const V1_CONTROLLERS = ["memory", "cpu", "cpuacct", "pids"] as const;
const V2_CONTROLLERS = ["memory", "cpu", "pids"] as const;

export interface ProcessLimits {
  memoryMiB: number;
  cpus: number;
}

export interface ProcessCgroup {
  /** `isolab/<id>` relative to each hierarchy's root (as containers' are). */
  path: string;
  /** The cgroup.procs files a process writes itself into, one per hierarchy. */
  procsFiles: string[];
}

/** Creates the cgroup in every hierarchy that enforces or accounts, with the limits written; undone on failure. */
export async function createProcessCgroup(id: string, limits: ProcessLimits, host: HostCgroups = hostCgroups()): Promise<ProcessCgroup> {
  const cgroupPath = isolabCgroupPath(id);
  const rel = cgroupPath.replace(/^\/+/, "");
  try {
    const dirs = host.version === "v2" ? [makeV2(rel, limits, host)] : makeV1(rel, limits, host);
    return { path: cgroupPath, procsFiles: dirs.map((d) => path.join(d, "cgroup.procs")) };
  } catch (err) {
    await removeCgroup(cgroupPath, { host }).catch(() => {});
    throw new Error(`cannot make the bare process's cgroup ${cgroupPath}: ${(err as Error).message}`);
  }
}

function makeV1(rel: string, limits: ProcessLimits, host: HostCgroups): string[] {
  const dirs = new Map<string, string>();
  for (const controller of V1_CONTROLLERS) {
    const mount = v1MountFor(host.mounts, controller);
    if (!mount) throw new Error(`the cgroup v1 ${controller} controller is not mounted`);
    dirs.set(controller, path.join(mount.mountPoint, rel));
  }
  for (const dir of new Set(dirs.values())) fs.mkdirSync(dir, { recursive: true });
  const memory = dirs.get("memory")!;
  const bytes = String(Math.round(limits.memoryMiB * MIB));
  fs.writeFileSync(path.join(memory, "memory.limit_in_bytes"), bytes);
  // Swap too where the kernel accounts it, as runc does for a container.
  const memsw = path.join(memory, "memory.memsw.limit_in_bytes");
  if (fs.existsSync(memsw)) fs.writeFileSync(memsw, bytes);
  const cpu = dirs.get("cpu")!;
  fs.writeFileSync(path.join(cpu, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
  fs.writeFileSync(path.join(cpu, "cpu.cfs_quota_us"), String(cpuQuotaUs(limits.cpus)));
  fs.writeFileSync(path.join(dirs.get("pids")!, "pids.max"), String(PROCESS_PIDS_MAX));
  return [...new Set(dirs.values())];
}

function makeV2(rel: string, limits: ProcessLimits, host: HostCgroups): string {
  const unified = host.mounts.find((m) => m.version === 2);
  if (!unified) throw new Error("no cgroup2 mount");
  // The controllers must be handed down to isolab/ (runc does this for its
  // containers; here nobody else will). Only Isolab's own levels are
  // written: the root's (or, delegated, systemd's) are read and must already
  // offer them.
  const parent = isolabCgroupParent().replace(/^\/+/, "");
  enableControllers(path.join(unified.mountPoint, path.dirname(parent)), false);
  enableControllers(path.join(unified.mountPoint, parent), true);
  const dir = path.join(unified.mountPoint, rel);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "memory.max"), String(Math.round(limits.memoryMiB * MIB)));
  const swap = path.join(dir, "memory.swap.max");
  if (fs.existsSync(swap)) fs.writeFileSync(swap, "0");
  fs.writeFileSync(path.join(dir, "cpu.max"), `${cpuQuotaUs(limits.cpus)} ${CPU_PERIOD_US}`);
  fs.writeFileSync(path.join(dir, "pids.max"), String(PROCESS_PIDS_MAX));
  return dir;
}

/** Adds the missing controllers to `dir`'s subtree_control; `mayWrite` false only checks they are there. */
function enableControllers(dir: string, mayWrite: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  const enabled = new Set(fs.readFileSync(path.join(dir, "cgroup.subtree_control"), "utf8").trim().split(/\s+/));
  const missing = V2_CONTROLLERS.filter((c) => !enabled.has(c));
  if (missing.length === 0) return;
  if (!mayWrite) throw new Error(`${dir} does not hand ${missing.join(", ")} to its children (cgroup.subtree_control)`);
  fs.writeFileSync(path.join(dir, "cgroup.subtree_control"), missing.map((c) => `+${c}`).join(" "));
}

function cpuQuotaUs(cpus: number): number {
  return Math.max(1000, Math.round(cpus * CPU_PERIOD_US));
}

/** SIGKILLs every task left in the cgroup (commands the server started and lost), then removes it. */
export async function killAndRemoveProcessCgroup(cgroupPath: string, host: HostCgroups = hostCgroups()): Promise<void> {
  for (const file of procsFilesOf(cgroupPath, host)) {
    for (const pid of readPids(file)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  await removeCgroup(cgroupPath, { host, timeoutMs: 5000 });
}

function procsFilesOf(cgroupPath: string, host: HostCgroups): string[] {
  const rel = cgroupPath.replace(/^\/+/, "");
  const mount = host.version === "v2" ? host.mounts.find((m) => m.version === 2) : v1MountFor(host.mounts, "memory");
  return mount ? [path.join(mount.mountPoint, rel, "cgroup.procs")] : [];
}

function readPids(file: string): number[] {
  try {
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid > 1);
  } catch {
    return [];
  }
}
