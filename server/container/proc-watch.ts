import "server-only";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

// The container's init is not Isolab's child (runc create exits and the init
// is re-parented), so Node cannot wait() for it, and Node has no pidfd.
// Instead: read /proc/<pid>/stat. Unlike `process.kill(pid, 0)` this also sees
// a zombie nobody reaps and a recycled pid (the start time changes), and
// unlike polling `runc state` it costs one small read, not a Go process.

export interface ProcStat {
  state: string;
  /** Clock ticks after boot: with the pid, identifies one process for its lifetime. */
  startTime: number;
}

/** Parses /proc/<pid>/stat; the comm field may itself contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const state = fields[0];
  const startTime = Number(fields[19]);
  if (!state || !Number.isInteger(startTime)) return null;
  return { state, startTime };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** True while the process that had `startTime` runs (zombie or dead counts as gone). */
export function isAlive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTime === startTime && stat.state !== "Z" && stat.state !== "X";
}

/** Resolves once the process is gone, polling every intervalMs; stop() ends the watch early. */
export function watchProcess(pid: number, startTime: number, intervalMs: number) {
  let stopped = false;
  const gone = (async () => {
    while (!stopped && isAlive(pid, startTime)) await sleep(intervalMs);
    return !stopped;
  })();
  return { gone, stop: () => void (stopped = true) };
}

/** Waits up to timeoutMs for the process to end; true if it did. */
export async function waitUntilGone(pid: number, startTime: number, timeoutMs: number, intervalMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!isAlive(pid, startTime)) return true;
    if (performance.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}
