import "server-only";
import fs from "node:fs";
import { parseProcStat } from "@/lib/host/procfs";

// Which process owns a queued or running experiment: "<pid>:<start ticks>",
// so a recycled pid is never mistaken for the owner that died.

function startTicks(pid: number): number | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8")).startTicks;
  } catch {
    return undefined;
  }
}

export function processOwner(pid = process.pid): string {
  return `${pid}:${startTicks(pid) ?? 0}`;
}

export function ownerAlive(owner: string | null): boolean {
  if (!owner) return false;
  const [pid, ticks] = owner.split(":").map(Number);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const now = startTicks(pid);
  return now !== undefined && now === ticks;
}
