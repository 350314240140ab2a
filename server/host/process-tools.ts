import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { InstanceExit } from "../engine/contract";

/** Resolves true when `exited` settles within ms, false otherwise. */
export async function waitForExit(exited: Promise<InstanceExit>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([exited.then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}

/** The last `lines` lines of a text file, or "" when it cannot be read. */
export function tailFile(file: string, lines = 30, maxBytes = 16_384): string {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(0, size - maxBytes);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      return buf.toString("utf8").split("\n").slice(-lines).join("\n");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return "";
  }
}

/** True when /proc says pid runs a program whose command line contains `needle`. */
export function pidRuns(pid: number, needle: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle);
  } catch {
    return false;
  }
}

/**
 * Kills processes named by `<stateDir>/instances/*\/<pidFile>` left by an
 * earlier run — only when /proc confirms the pid still runs `needle`, so a
 * recycled pid is never hit — and removes the pid files.
 */
export async function killPidFileLeftovers(stateDir: string, pidFile: string, needle: string): Promise<string[]> {
  const removed: string[] = [];
  const root = path.join(stateDir, "instances");
  if (!fs.existsSync(root)) return removed;
  for (const id of fs.readdirSync(root)) {
    const file = path.join(root, id, pidFile);
    if (!fs.existsSync(file)) continue;
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    if (Number.isInteger(pid) && pid > 1 && pidRuns(pid, needle)) {
      try {
        process.kill(pid, "SIGKILL");
        removed.push(`${needle} pid ${pid} of ${id}`);
      } catch {
        // Exited between the check and the kill.
      }
    }
    fs.rmSync(file, { force: true });
  }
  return removed;
}
