import "server-only";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseCounter, usageFromV1, usageFromV2, type CgroupUsage } from "@/lib/host/cgroup";
import { detectCgroupVersion, parseCgroupMounts, v1MountFor, type CgroupMount } from "@/lib/host/cgroup-mounts";
import { isolabCgroupParent } from "./cgroup-placement";
import type { CgroupVersion } from "@/lib/core/types";

// Reads and removes Isolab's cgroups on the live host, v1 (and hybrid) or v2.
// The parsing is in lib/host/cgroup*.ts; this file only touches /sys/fs/cgroup.

export interface HostCgroups {
  version: CgroupVersion;
  mounts: CgroupMount[];
}

let cached: HostCgroups | undefined;

/** Mounts change only when the host is reconfigured: read once per process. */
export function hostCgroups(): HostCgroups {
  if (!cached) {
    const mounts = parseCgroupMounts(fs.readFileSync("/proc/mounts", "utf8"));
    cached = { version: detectCgroupVersion(mounts), mounts };
  }
  return cached;
}

export function hostCgroupVersion(): CgroupVersion {
  return hostCgroups().version;
}

/**
 * Only `<parent>/<id>`-shaped paths, where parent is Isolab's own (`/isolab`,
 * or `<delegated cgroup>/isolab` on cgroup v2 under systemd): a bug elsewhere
 * must never rmdir a host cgroup.
 */
function checkedRelative(cgroupPath: string, parent = isolabCgroupParent()): string {
  const rel = `/${cgroupPath.replace(/^\/+/, "")}`;
  const tail = rel.startsWith(parent) ? rel.slice(parent.length) : null;
  if (tail === null || !/^(\/[a-z0-9][a-z0-9-]{0,62})?$/.test(tail)) throw new Error(`not an Isolab cgroup path: ${cgroupPath}`);
  return rel.slice(1);
}

/** The directory of this cgroup in every mounted hierarchy (v1 controllers, named ones, cgroup2). */
export function cgroupDirs(cgroupPath: string, host: HostCgroups = hostCgroups()): string[] {
  const rel = checkedRelative(cgroupPath);
  return host.mounts.map((m) => path.join(m.mountPoint, rel));
}

export function readCgroupUsage(cgroupPath: string, host: HostCgroups = hostCgroups()): CgroupUsage {
  const rel = checkedRelative(cgroupPath);
  if (host.version === "v2") {
    const unified = host.mounts.find((m) => m.version === 2);
    if (!unified) throw new Error("no cgroup2 mount");
    const read = (file: string) => fs.readFileSync(path.join(unified.mountPoint, rel, file), "utf8");
    return usageFromV2({
      memoryCurrent: read("memory.current"),
      memoryStat: read("memory.stat"),
      memoryMax: read("memory.max"),
      memoryEvents: read("memory.events"),
      cpuStat: read("cpu.stat"),
      pidsCurrent: read("pids.current"),
      procs: read("cgroup.procs"),
      threads: read("cgroup.threads"),
    });
  }
  const read = (controller: string, file: string) => {
    const mount = v1MountFor(host.mounts, controller);
    if (!mount) throw new Error(`the cgroup v1 ${controller} controller is not mounted`);
    return fs.readFileSync(path.join(mount.mountPoint, rel, file), "utf8");
  };
  return usageFromV1({
    memoryUsage: read("memory", "memory.usage_in_bytes"),
    memoryStat: read("memory", "memory.stat"),
    memoryLimit: read("memory", "memory.limit_in_bytes"),
    oomControl: read("memory", "memory.oom_control"),
    cpuacctUsage: read("cpuacct", "cpuacct.usage"),
    pidsCurrent: read("pids", "pids.current"),
    procs: read("memory", "cgroup.procs"),
    tasks: read("memory", "tasks"),
  });
}

/**
 * The kernel's own high-water mark of the cgroup's memory usage: v1
 * memory.max_usage_in_bytes, v2 memory.peak (Linux 5.19+). Catches a peak
 * between two samples, such as the moment of an OOM kill. null when the
 * kernel keeps none.
 */
export function readCgroupMemoryPeak(cgroupPath: string, host: HostCgroups = hostCgroups()): number | null {
  const rel = checkedRelative(cgroupPath);
  const mount = host.version === "v2" ? host.mounts.find((m) => m.version === 2) : v1MountFor(host.mounts, "memory");
  const file = host.version === "v2" ? "memory.peak" : "memory.max_usage_in_bytes";
  if (!mount) return null;
  try {
    return parseCounter(fs.readFileSync(path.join(mount.mountPoint, rel, file), "utf8"));
  } catch {
    return null;
  }
}

/**
 * rmdir this cgroup (and any child cgroups) in every hierarchy. The runtime
 * removes what it manages, but on v1 it can leave dirs in hierarchies it
 * does not manage (name=systemd, the hybrid cgroup2). A cgroup stays busy
 * for a moment after its last task died, hence the retries.
 * Returns the directories it removed.
 */
export async function removeCgroup(cgroupPath: string, opts: { timeoutMs?: number; host?: HostCgroups } = {}): Promise<string[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 2000);
  const removed: string[] = [];
  for (const dir of cgroupDirs(cgroupPath, opts.host)) {
    for (const sub of [...subdirs(dir), dir]) {
      for (;;) {
        try {
          fs.rmdirSync(sub);
          removed.push(sub);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === "ENOENT") break;
          if (code !== "EBUSY" || Date.now() > deadline) throw err;
          await sleep(10);
        }
      }
    }
  }
  return removed;
}

/** Child cgroups, deepest first (rmdir order). */
function subdirs(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory()).flatMap((e) => [...subdirs(path.join(dir, e.name)), path.join(dir, e.name)]);
}

const CGROUP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Names of the cgroups under /isolab in any hierarchy (only id-shaped ones: Isolab never made others). */
export function listIsolabCgroups(host: HostCgroups = hostCgroups()): string[] {
  const names = new Set<string>();
  for (const dir of cgroupDirs(isolabCgroupParent(), host)) {
    for (const e of safeReaddir(dir)) if (e.isDirectory() && CGROUP_NAME.test(e.name)) names.add(e.name);
  }
  return [...names].sort();
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
