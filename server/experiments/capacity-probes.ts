import "server-only";
import fs from "node:fs";
import os from "node:os";
import type { HostMemory } from "@/lib/host/memory-guard";
import { parseKbLines } from "@/lib/host/procfs";
import { parseSmapsRollup } from "@/lib/host/procfs";
import { splitQemuMemory } from "@/lib/vm/qemu-smaps";
import { readCgroupMemoryPeak, readCgroupUsage } from "@/server/container/cgroup";
import type { UsageTarget } from "./host-usage";

// What the isolation and density runners read from the host, behind one
// interface so their unit tests script the readings. The real readers reuse
// the sampler's parsers (lib/host/procfs) and the
// container engine's cgroup reader.

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

export interface CapacityProbes {
  hostMemory(): HostMemory;
  /** Throws when the instance is gone. `guestMiB` names a VM's guest RAM mapping. */
  hogMemory(target: UsageTarget, guestMiB?: number): HogReading;
  cores(): number;
  /** A file's text (a VM's console log), "" when it cannot be read. */
  readText(file: string): string;
}

export function parseHostMemory(meminfo: string): HostMemory {
  const kb = parseKbLines(meminfo);
  if (kb.MemTotal === undefined || kb.MemAvailable === undefined) throw new Error("/proc/meminfo has no MemTotal or MemAvailable");
  return { totalBytes: kb.MemTotal, availableBytes: kb.MemAvailable, swapTotalBytes: kb.SwapTotal ?? 0, swapFreeBytes: kb.SwapFree ?? 0 };
}

export const hostProbes: CapacityProbes = {
  hostMemory: () => parseHostMemory(fs.readFileSync("/proc/meminfo", "utf8")),
  hogMemory(target, guestMiB) {
    if (target.kind === "container" && target.cgroupPath) {
      const cg = readCgroupUsage(target.cgroupPath);
      const peak = readCgroupMemoryPeak(target.cgroupPath);
      return { hostBytes: cg.memoryBytes, limitBytes: cg.limitBytes, oomKills: cg.oomKills, ...(peak === null ? {} : { peakBytes: peak }) };
    }
    if (guestMiB !== undefined) {
      const split = splitQemuMemory(fs.readFileSync(`/proc/${target.pid}/smaps`, "utf8"), guestMiB);
      if (split) return { hostBytes: split.totalRssBytes, guestRamBytes: split.guestRamRssBytes, qemuOwnBytes: split.otherRssBytes };
    }
    return { hostBytes: parseSmapsRollup(fs.readFileSync(`/proc/${target.pid}/smaps_rollup`, "utf8")).rssBytes };
  },
  cores: () => os.cpus().length,
  readText(file) {
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return "";
    }
  },
};
