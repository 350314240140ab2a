import "server-only";
import fs from "node:fs";
import os from "node:os";
import type { HostMemory } from "@/lib/host/memory-guard";
import type { HostLimits, NamespaceType } from "@/lib/host/kernel-limits";
import type { InstanceLimits } from "@/lib/host/limits";
import { parseKbLines, parseKernelMemory, parseProcStat, type KernelMemory } from "@/lib/host/procfs";
import { isolabCaps, ownNamespaces, readHostLimits, readHostTasks } from "@/server/host/kernel-limits";
import { splitQemuMemory } from "@/lib/vm/qemu-smaps";
import { readCgroupMemoryPeak, readCgroupUsage } from "@/server/container/cgroup";
import { mappedRamFile, type RamFileReading } from "@/server/host/template-ram";
import { usageOf, type UsageTarget } from "./host-usage";

// What the isolation and density runners read from the host, behind one
// interface so their unit tests script the readings. The real readers go
// through the instance's handle (RunningHandle.hostUsage) as the sampler
// does; a VM's guest RAM is split out of QEMU's smaps.

export interface HogReading {
  /** Host view: cgroup usage (container) or QEMU RSS (VM). */
  hostBytes: number;
  /** The cgroup's limit; null without one. Containers only. */
  limitBytes?: number | null;
  /** The cgroup's oom_kill count. Containers only. */
  oomKills?: number;
  /** The kernel's high-water mark of the cgroup's usage. Containers only. */
  peakBytes?: number;
  /** VM: resident guest RAM and QEMU's own memory (lib/vm/qemu-smaps.ts). */
  guestRamBytes?: number;
  qemuOwnBytes?: number;
}

export interface HostProbes {
  hostMemory(): HostMemory;
  /** Throws when the instance is gone. `guestMiB` names a VM's guest RAM mapping. */
  hogMemory(target: UsageTarget, guestMiB?: number): HogReading;
  cores(): number;
  /** A file's text (a VM's console log), "" when it cannot be read. */
  readText(file: string): string;
  /** The kernel's own memory (/proc/meminfo Slab, PageTables, KernelStack, Percpu). */
  kernelMemory(): KernelMemory;
  /** The host's limits on more instances and their use now; Isolab's caps. */
  hostLimits(): { kernel: HostLimits; isolab: InstanceLimits };
  /** Tasks on the host now. */
  hostTasks(): number;
  /**
   * Anonymous memory (RssAnon) of every process on the host but `exclude` (the run's own
   * instances): what the rest of a shared host allocates while a density run measures.
   */
  othersAnonBytes(exclude: readonly number[]): number;
  /** One instance's tasks (its cgroup's pids.current, or QEMU's threads) and the namespaces it has of its own. */
  instanceFootprint(target: UsageTarget): { tasks: number; namespaces: Partial<Record<NamespaceType, 0 | 1>> };
  /** The template RAM file a templated VM maps as its guest RAM, with what tmpfs holds for it; null for any other instance. */
  templateFile(target: UsageTarget, guestMiB: number): RamFileReading | null;
}

export function parseHostMemory(meminfo: string): HostMemory {
  const kb = parseKbLines(meminfo);
  if (kb.MemTotal === undefined || kb.MemAvailable === undefined) throw new Error("/proc/meminfo has no MemTotal or MemAvailable");
  return { totalBytes: kb.MemTotal, availableBytes: kb.MemAvailable, swapTotalBytes: kb.SwapTotal ?? 0, swapFreeBytes: kb.SwapFree ?? 0 };
}

export const hostProbes: HostProbes = {
  hostMemory: () => parseHostMemory(fs.readFileSync("/proc/meminfo", "utf8")),
  hogMemory(target, guestMiB) {
    const usage = usageOf(target);
    if (usage.memorySource === "cgroup") {
      const peak = target.cgroupPath ? readCgroupMemoryPeak(target.cgroupPath) : null;
      return { hostBytes: usage.memoryBytes, limitBytes: usage.limitBytes ?? null, oomKills: usage.oomKills, ...(peak === null ? {} : { peakBytes: peak }) };
    }
    if (guestMiB !== undefined) {
      const split = splitQemuMemory(fs.readFileSync(`/proc/${target.pid}/smaps`, "utf8"), guestMiB);
      if (split) return { hostBytes: split.totalRssBytes, guestRamBytes: split.guestRamRssBytes, qemuOwnBytes: split.otherRssBytes };
    }
    return { hostBytes: usage.rssBytes };
  },
  cores: () => os.cpus().length,
  kernelMemory: () => parseKernelMemory(fs.readFileSync("/proc/meminfo", "utf8")),
  hostLimits: () => ({ kernel: readHostLimits(), isolab: isolabCaps() }),
  hostTasks: readHostTasks,
  othersAnonBytes(exclude) {
    const skip = new Set(exclude);
    let sum = 0;
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry) || skip.has(Number(entry))) continue;
      try {
        sum += parseKbLines(fs.readFileSync(`/proc/${entry}/status`, "utf8")).RssAnon ?? 0;
      } catch {
        // The process ended between the listing and the read.
      }
    }
    return sum;
  },
  instanceFootprint(target) {
    const tasks = target.cgroupPath ? readCgroupUsage(target.cgroupPath).pids : parseProcStat(fs.readFileSync(`/proc/${target.pid}/stat`, "utf8")).numThreads;
    return { tasks, namespaces: ownNamespaces(target.pid) };
  },
  templateFile: (target, guestMiB) => mappedRamFile(target.pid, guestMiB),
  readText(file) {
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return "";
    }
  },
};
