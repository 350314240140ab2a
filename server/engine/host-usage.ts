import "server-only";
import fs from "node:fs";
import type { CgroupUsage } from "@/lib/host/cgroup";
import { CLOCK_TICKS_PER_SECOND, parseProcStat, parseSmapsRollup, procCpuNs, type ProcStat, type SmapsRollup } from "@/lib/host/procfs";

// What the host pays for one instance, as each driver's handle reads it
// (RunningHandle.hostUsage). The process and VM drivers share the /proc
// reading below; the container driver reads its cgroup
// (server/container/handle.ts). The files come through readers, so the
// sampler's and the experiments' unit tests feed them strings.

export interface HostUsageReaders {
  /** Throws when the process is gone. */
  procStat(pid: number): ProcStat;
  smapsRollup(pid: number): SmapsRollup;
  /** cgroup usage (v1 or v2). */
  cgroup(cgroupPath: string): CgroupUsage;
}

export interface HostUsageReading {
  /** Cumulative host CPU time of every thread (or the whole cgroup), nanoseconds. */
  cpuNs: number;
  /** The smallest step cpuNs moves by: one clock tick for /proc, 1 ns for a cgroup. */
  cpuResolutionNs: number;
  /** The host view of memory: the cgroup's usage, or the process's PSS. */
  memoryBytes: number;
  memorySource: "cgroup" | "pss";
  /** Resident memory: the process's RSS, or the cgroup's anonymous memory. */
  rssBytes: number;
  /** The carrying process's proportional set size (process, VM). */
  pssBytes?: number;
  /** Page cache charged to the cgroup, tmpfs included (container). */
  cacheBytes?: number;
  /** Host threads: the process's, or every task in the cgroup. */
  threads: number;
  /** Host processes: 1, or the cgroup's. */
  processes: number;
  /** Container: the cgroup's memory limit (null without one) and its OOM kill count. */
  limitBytes?: number | null;
  oomKills?: number;
  /** Process, VM: the carrier's start time in clock ticks; a different one under the same pid is another process. */
  startTicks?: number;
}

/** The instance has ended: its process is a zombie or gone, its cgroup empty. */
export class InstanceGoneError extends Error {}

const read = (file: string) => fs.readFileSync(file, "utf8");

/** The /proc readers; the cgroup one belongs to the container driver. */
export const procUsageReaders: Pick<HostUsageReaders, "procStat" | "smapsRollup"> = {
  procStat: (pid) => parseProcStat(read(`/proc/${pid}/stat`)),
  smapsRollup: (pid) => parseSmapsRollup(read(`/proc/${pid}/smaps_rollup`)),
};

/** A process with all its threads: utime+stime from stat, PSS and RSS from smaps_rollup. */
export function readProcUsage(pid: number, readers: Pick<HostUsageReaders, "procStat" | "smapsRollup"> = procUsageReaders): HostUsageReading {
  const stat = readers.procStat(pid);
  if (stat.state === "Z" || stat.state === "X") throw new InstanceGoneError(`process ${pid} has ended`);
  let mem: SmapsRollup;
  try {
    mem = readers.smapsRollup(pid);
  } catch (err) {
    throw new Error(`cannot read /proc/${pid}/smaps_rollup: ${(err as Error).message}`);
  }
  return {
    cpuNs: procCpuNs(stat),
    cpuResolutionNs: 1e9 / CLOCK_TICKS_PER_SECOND,
    memoryBytes: mem.pssBytes,
    memorySource: "pss",
    rssBytes: mem.rssBytes,
    pssBytes: mem.pssBytes,
    threads: stat.numThreads,
    processes: 1,
    startTicks: stat.startTicks,
  };
}

/** A cgroup as one instance; an empty one is an ended instance, not an idle one. */
export function cgroupUsageReading(cg: CgroupUsage): HostUsageReading {
  if (cg.procs.length === 0) throw new InstanceGoneError("the cgroup has no processes left");
  return {
    cpuNs: cg.cpuNs,
    cpuResolutionNs: 1,
    memoryBytes: cg.memoryBytes,
    memorySource: "cgroup",
    rssBytes: cg.rssBytes,
    cacheBytes: cg.cacheBytes,
    threads: cg.tasks.length,
    processes: cg.procs.length,
    limitBytes: cg.limitBytes,
    oomKills: cg.oomKills,
  };
}
