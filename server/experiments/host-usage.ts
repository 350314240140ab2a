import "server-only";
import type { InstanceKind } from "@/lib/core/types";
import type { HostUsageReading, RunningHandle } from "@/server/engine/contract";
import { cgroupUsageReading, readProcUsage } from "@/server/engine/host-usage";
import { procReaders, type HostReaders } from "@/server/metrics/readers";

// The host's view of one idle instance: CPU time and memory it costs, as the
// instance's own handle reads it (RunningHandle.hostUsage: a container's
// cgroup, v1 or v2; the probe's or QEMU's process with all its threads),
// through the sampler's readers (server/metrics/readers.ts).

export interface UsageTarget {
  kind: InstanceKind;
  pid: number;
  cgroupPath?: string;
  /**
   * The handle's own reading. A target without one (a test's fake
   * supervisor) is read the same way from its cgroup or its process.
   */
  hostUsage?: RunningHandle["hostUsage"];
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

/** The target's reading: its handle's, or the same drivers' reading of its cgroup or process. */
export function usageOf(target: UsageTarget, readers: HostReaders = procReaders): HostUsageReading {
  if (target.hostUsage) return target.hostUsage(readers);
  return target.cgroupPath ? cgroupUsageReading(readers.cgroup(target.cgroupPath)) : readProcUsage(target.pid, readers);
}

export function hostUsageReader(readers: HostReaders = procReaders): ReadHostUsage {
  return async (target) => {
    const u = usageOf(target, readers);
    const base = { cpuNs: u.cpuNs, cpuResolutionNs: u.cpuResolutionNs, memoryBytes: u.memoryBytes };
    if (u.memorySource !== "cgroup") return { ...base, pssBytes: u.pssBytes };
    let pssBytes: number | undefined;
    try {
      pssBytes = readers.smapsRollup(target.pid).pssBytes; // the container's init alone, beside its cgroup
    } catch {
      // The container's init may be unreadable; its cgroup is the figure then.
    }
    return { ...base, cgroupMemoryBytes: u.memoryBytes, pssBytes };
  };
}

export const readHostUsage: ReadHostUsage = hostUsageReader();
