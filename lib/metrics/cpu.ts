import { cpuPercent } from "@/lib/host/procfs";
import type { ProcStatCpu } from "../host/procfs";

// CPU % from cumulative counters. 100 % = one core busy for the whole interval,
// so a 2-vCPU VM spinning on both shows 200 %.

/** % of one core between two readings of a CPU-time counter in ns; null when no rate can be told (first reading, no time passed, counter went back). */
export function instanceCpuPercent(prev: { cpuNs: number; mono: number } | undefined, cpuNs: number, mono: number): number | null {
  if (!prev || cpuNs < prev.cpuNs) return null;
  const p = cpuPercent(prev.cpuNs, cpuNs, mono - prev.mono);
  return Number.isFinite(p) ? p : null;
}

/** Host busy %, of all cores together (0–100), between two /proc/stat readings. */
export function hostCpuPercent(prev: ProcStatCpu, next: ProcStatCpu): number | null {
  const total = next.totalTicks - prev.totalTicks;
  const idle = next.idleTicks - prev.idleTicks;
  if (total <= 0 || idle < 0 || idle > total) return null;
  return (100 * (total - idle)) / total;
}
