import "server-only";
import { hostCpuPercent, instanceCpuPercent } from "@/lib/metrics/cpu";
import { memoryOverhead } from "@/lib/metrics/guest-view";
import type { ProcStatCpu } from "@/lib/host/procfs";
import type { HostSample, InstanceSample } from "@/lib/metrics/samples";
import type { RunningHandle } from "@/server/engine/contract";
import type { HostReaders } from "./readers";
import type { Series } from "./sample-history";

// One tick's host view: the host's totals from /proc, and each instance's
// cost as its handle reads it (RunningHandle.hostUsage: the cgroup of a
// container, the process of the probe or QEMU), joined with the last guest
// view read through the probe.

/** The host's memory and CPU %, which needs the previous /proc/stat reading. */
export class HostTotals {
  private prevCpu?: ProcStatCpu;

  constructor(private readonly readers: Pick<HostReaders, "meminfo" | "hostCpu">) {}

  /** null when /proc could not be read. */
  sample(t: number): HostSample | null {
    try {
      const mem = this.readers.meminfo();
      const cpu = this.readers.hostCpu();
      const sample: HostSample = {
        t,
        cpuPercent: this.prevCpu ? hostCpuPercent(this.prevCpu, cpu) : null,
        memTotalBytes: mem.MemTotal,
        memAvailableBytes: mem.MemAvailable,
      };
      this.prevCpu = cpu;
      return sample;
    } catch {
      return null;
    }
  }
}

/**
 * One instance's sample; null when it ended between the list and the read
 * (an empty cgroup, a zombie, a recycled pid): never a sample of zeros.
 */
export function sampleInstance(
  handle: RunningHandle,
  readers: HostReaders,
  s: Series,
  at: { t: number; mono: number },
  hostMemTotal: number | undefined,
): InstanceSample | null {
  let u;
  try {
    u = handle.hostUsage(readers);
  } catch {
    return null;
  }
  if (u.startTicks !== undefined) {
    if (s.startTimeTicks !== undefined && s.startTimeTicks !== u.startTicks) return null; // recycled pid
    s.startTimeTicks = u.startTicks;
  }
  const base = {
    cpuSeconds: u.cpuNs / 1e9,
    memoryHostBytes: u.memoryBytes,
    rssBytes: u.rssBytes,
    ...(u.pssBytes !== undefined && { pssBytes: u.pssBytes }),
    ...(u.cacheBytes !== undefined && { cacheBytes: u.cacheBytes }),
    hostThreads: u.threads,
    hostProcesses: u.processes,
    ...(u.oomKills !== undefined && { oomKills: u.oomKills }),
  };
  const cpu = instanceCpuPercent(s.prev, u.cpuNs, at.mono);
  s.prev = { cpuNs: u.cpuNs, mono: at.mono };
  const g = s.guest;
  return {
    t: at.t,
    cpuPercent: cpu,
    ...base,
    ...(g && {
      guestMemoryBytes: g.memUsedBytes,
      guestMemTotalBytes: g.memTotalBytes,
      guestProcesses: g.processCount,
      guestAt: g.at,
      overheadBytes: hostMemTotal === undefined ? undefined : memoryOverhead(base.memoryHostBytes, g, hostMemTotal),
    }),
  };
}
