import "server-only";
import fs from "node:fs";
import { parseMeminfo, parseProcStatCpu, type ProcMeminfo, type ProcStatCpu } from "@/lib/host/procfs";
import { readCgroupUsage } from "@/server/container/cgroup";
import { procUsageReaders, type HostUsageReaders } from "@/server/engine/host-usage";

// The host files the sampler reads, behind an interface so tests feed it
// strings: the host's totals, and the per-instance files each handle reads
// its usage through (RunningHandle.hostUsage). Reads are synchronous: /proc
// and cgroupfs never wait on a disk, and a synchronous tick is one span
// whose CPU cost can be measured.

export interface HostReaders extends HostUsageReaders {
  meminfo(): ProcMeminfo;
  hostCpu(): ProcStatCpu;
}

const read = (file: string) => fs.readFileSync(file, "utf8");

export const procReaders: HostReaders = {
  ...procUsageReaders,
  cgroup: (cgroupPath) => readCgroupUsage(cgroupPath),
  meminfo: () => parseMeminfo(read("/proc/meminfo")),
  hostCpu: () => parseProcStatCpu(read("/proc/stat")),
};
