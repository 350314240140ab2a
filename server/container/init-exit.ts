import "server-only";
import fs from "node:fs";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { InstanceExit } from "@/server/engine/contract";
import { tailFile } from "@/server/host/process-tools";
import { readCgroupUsage } from "./cgroup";

// How a container's init ended without Isolab asking. Its wait status comes
// from isolab-shim (guest/shim/isolab-shim.c), which adopted the init; the
// cgroup's OOM kill counter (v1 memory.oom_control, v2 memory.events) says
// whether the kernel's OOM killer sent a SIGKILL.

const InitStatusSchema = z.union([
  z.object({ pid: z.number().int(), code: z.number().int() }),
  z.object({ pid: z.number().int(), signal: z.number().int(), core: z.boolean() }),
]);
export type InitStatus = z.infer<typeof InitStatusSchema>;

/** The status file is written by the shim right after it reaps the init; the init's zombie is seen a moment before. */
const STATUS_WAIT_MS = 1000;

export function parseInitStatus(text: string): InitStatus | null {
  try {
    const parsed = InitStatusSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The shim's record of the init, waiting a moment for it; null without one (no shim, or the shim was killed too). */
export async function readInitStatus(file: string, pid: number, waitMs = STATUS_WAIT_MS): Promise<InitStatus | null> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    let text: string | null = null;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      // Not written yet.
    }
    const status = text === null ? null : parseInitStatus(text);
    if (status && status.pid === pid) return status;
    if (performance.now() >= deadline) return null;
    await sleep(10);
  }
}

export function signalName(signo: number): string {
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === signo);
  return entry ? entry[0] : `signal ${signo}`;
}

export interface InitExitFacts {
  status: InitStatus | null;
  /** The cgroup's OOM kill count; 0 when the cgroup could not be read. */
  oomKills: number;
  limitBytes: number | null;
  /** The log's last line. */
  lastOutput: string;
}

/** Plain words for an init that ended on its own, from what could be observed. */
export function describeInitExit({ status, oomKills, limitBytes, lastOutput }: InitExitFacts): InstanceExit {
  const last = lastOutput ? ` (last output: ${lastOutput.slice(0, 200)})` : "";
  const limit = limitBytes === null ? "" : ` of ${Math.round(limitBytes / 2 ** 20)} MiB`;
  const killedBySignal = status !== null && "signal" in status;
  const signal = killedBySignal ? signalName(status.signal) : null;
  if (oomKills > 0 && (status === null || signal === "SIGKILL")) {
    return { code: null, signal: "SIGKILL", reason: `killed by the kernel's OOM killer at the memory limit${limit}` };
  }
  if (status === null) {
    // No shim record: the init was re-parented away from Isolab, so its status is lost.
    return { code: null, signal: null, reason: `the container's init exited on its own, with a status Isolab could not observe${last}` };
  }
  const oom = oomKills > 0 ? `, after the OOM killer killed ${oomKills} process${oomKills === 1 ? "" : "es"} in it` : "";
  if (killedBySignal) {
    const core = status.core ? " (core dumped)" : "";
    return { code: null, signal, reason: `the container's init ended on its own: killed by ${signal}${core}${oom}${last}` };
  }
  return { code: status.code, signal: null, reason: `the container's init exited on its own with code ${status.code}${oom}${last}` };
}

/** Reads the facts (before the cgroup goes away) and words them. */
export async function initExit(o: { cgroupPath: string; logPath: string; statusFile?: string; pid: number }): Promise<InstanceExit> {
  let oomKills = 0;
  let limitBytes: number | null = null;
  try {
    const usage = readCgroupUsage(o.cgroupPath);
    oomKills = usage.oomKills;
    limitBytes = usage.limitBytes;
  } catch {
    // The runtime already removed the cgroup: no OOM record to read.
  }
  const status = o.statusFile ? await readInitStatus(o.statusFile, o.pid) : null;
  const lastOutput = tailFile(o.logPath, 5).trim().split("\n").pop()?.trim() ?? "";
  return describeInitExit({ status, oomKills, limitBytes, lastOutput });
}
