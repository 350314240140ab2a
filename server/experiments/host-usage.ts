import "server-only";
import { CLOCK_TICKS_PER_SECOND, procCpuNs } from "@/lib/host/procfs";
import type { InstanceKind } from "@/lib/core/types";
import { procReaders, type HostReaders } from "@/server/metrics/readers";

// The host's view of one idle instance: CPU time and memory it costs, read
// through the sampler's readers (server/metrics/readers.ts).
// Containers: their cgroup (v1 or v2). Process and VM: the carrying process —
// the probe, or QEMU with all its threads — from /proc (utime+stime, PSS).

export interface UsageTarget {
  kind: InstanceKind;
  pid: number;
  cgroupPath?: string;
}

export interface HostUsage {
  /** Cumulative host CPU time, nanoseconds. */
  cpuNs: number;
  /** The smallest step cpuNs moves by: one clock tick for /proc, 1 ns for a cgroup. */
  cpuResolutionNs: number;
  /** The host view (ARCHITECTURE.md, "Measurement definitions"): cgroup usage for a container, PSS otherwise. */
  memoryBytes: number;
  pssBytes?: number;
  cgroupMemoryBytes?: number;
}

export type ReadHostUsage = (target: UsageTarget) => Promise<HostUsage>;

export function hostUsageReader(readers: HostReaders = procReaders): ReadHostUsage {
  return async (target) => {
    let pssBytes: number | undefined;
    try {
      pssBytes = readers.smapsRollup(target.pid).pssBytes;
    } catch {
      // The container's init may be unreadable; its cgroup is the figure then.
    }
    if (target.kind === "container" && target.cgroupPath) {
      const cg = readers.cgroup(target.cgroupPath);
      return { cpuNs: cg.cpuNs, cpuResolutionNs: 1, memoryBytes: cg.memoryBytes, cgroupMemoryBytes: cg.memoryBytes, pssBytes };
    }
    const cpuNs = procCpuNs(readers.procStat(target.pid));
    if (pssBytes === undefined) throw new Error(`cannot read /proc/${target.pid}/smaps_rollup`);
    return { cpuNs, cpuResolutionNs: 1e9 / CLOCK_TICKS_PER_SECOND, memoryBytes: pssBytes, pssBytes };
  };
}

export const readHostUsage: ReadHostUsage = hostUsageReader();
