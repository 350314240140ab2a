import "server-only";
import fs from "node:fs";
import type { CgroupUsage } from "@/lib/host/cgroup";
import { parseMeminfo, parseProcStatCpu, type ProcMeminfo, type ProcStatCpu } from "@/lib/host/procfs";
import { parseProcStat, parseSmapsRollup, type ProcStat, type SmapsRollup } from "@/lib/host/procfs";
import { readCgroupUsage } from "@/server/container/cgroup";

// The host files the sampler reads, behind an interface so tests feed it
// strings. Reads are synchronous: /proc and cgroupfs never wait on a disk,
// and a synchronous tick is one span whose CPU cost can be measured.

export interface HostReaders {
  /** Throws when the process is gone. */
  procStat(pid: number): ProcStat;
  smapsRollup(pid: number): SmapsRollup;
  /** cgroup usage (v1 or v2) through the container engine's reader. */
  cgroup(cgroupPath: string): CgroupUsage;
  meminfo(): ProcMeminfo;
  hostCpu(): ProcStatCpu;
}

const read = (file: string) => fs.readFileSync(file, "utf8");

export const procReaders: HostReaders = {
  procStat: (pid) => parseProcStat(read(`/proc/${pid}/stat`)),
  smapsRollup: (pid) => parseSmapsRollup(read(`/proc/${pid}/smaps_rollup`)),
  cgroup: (cgroupPath) => readCgroupUsage(cgroupPath),
  meminfo: () => parseMeminfo(read("/proc/meminfo")),
  hostCpu: () => parseProcStatCpu(read("/proc/stat")),
};
