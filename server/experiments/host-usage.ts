import "server-only";
import fs from "node:fs";
import { parseProcStat, parseSmapsRollup } from "@/lib/proc-stat";
import type { InstanceKind } from "@/lib/types";
import { readCgroupUsage } from "@/server/container/cgroup";
import { runCommand } from "@/server/instances/run-command";

// The host's view of one idle instance: CPU time and memory it costs.
// Containers: their cgroup (the container engine's reader, v1 and v2).
// Process and VM: the carrying process — the probe, or QEMU with all its
// threads — from /proc (utime+stime of the thread group, PSS).

export interface UsageTarget {
  kind: InstanceKind;
  pid: number;
  cgroupPath?: string;
}

export interface HostUsage {
  /** Cumulative host CPU time, nanoseconds. */
  cpuNs: number;
  /** The host view DESIGN.md names: cgroup usage for a container, PSS otherwise. */
  memoryBytes: number;
  pssBytes?: number;
  cgroupMemoryBytes?: number;
}

export type ReadHostUsage = (target: UsageTarget) => Promise<HostUsage>;

let clockTicks: Promise<number> | undefined;

/** USER_HZ; 100 on every Linux build in practice, asked once anyway. */
function ticksPerSecond(): Promise<number> {
  clockTicks ??= runCommand("getconf", ["CLK_TCK"], { timeoutMs: 2000 })
    .then((r) => Number(r.output.trim()))
    .then((n) => (Number.isInteger(n) && n > 0 ? n : 100))
    .catch(() => 100);
  return clockTicks;
}

function readPss(pid: number): number | undefined {
  try {
    return parseSmapsRollup(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8")).pssBytes;
  } catch {
    return undefined;
  }
}

export const readHostUsage: ReadHostUsage = async (target) => {
  const pssBytes = readPss(target.pid);
  if (target.kind === "container" && target.cgroupPath) {
    const cg = readCgroupUsage(target.cgroupPath);
    return { cpuNs: cg.cpuNs, memoryBytes: cg.memoryBytes, cgroupMemoryBytes: cg.memoryBytes, pssBytes };
  }
  const stat = parseProcStat(fs.readFileSync(`/proc/${target.pid}/stat`, "utf8"));
  const hz = await ticksPerSecond();
  if (pssBytes === undefined) throw new Error(`cannot read /proc/${target.pid}/smaps_rollup`);
  return { cpuNs: ((stat.utimeTicks + stat.stimeTicks) * 1e9) / hz, memoryBytes: pssBytes, pssBytes };
};
