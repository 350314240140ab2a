import "server-only";
import fs from "node:fs";
import { removeCgroup } from "./cgroup";
import { isAlive, waitUntilGone } from "./proc-watch";
import type { ContainerRuntime } from "./runtime";

// Ending a container and removing every trace of it: used by stop(), by a
// start that failed half-way, and when the init died on its own.

export interface ContainerTraces {
  id: string;
  runtime: ContainerRuntime;
  cgroupPath: string;
  /** Files Isolab wrote for this container (bundle dir, pid file); the log stays. */
  paths: string[];
  /** The init, when known (absent if create failed before writing the pid file). */
  init?: { pid: number; startTime: number };
}

const KILL_WAIT_MS = 5000;

/** SIGTERM, up to graceMs, then SIGKILL to every process in the container. */
export async function terminate(t: ContainerTraces, graceMs: number): Promise<void> {
  const { runtime, id, init } = t;
  if (init && !isAlive(init.pid, init.startTime)) return;
  if (init && graceMs > 0) {
    await runtime.kill(id, "SIGTERM");
    if (await waitUntilGone(init.pid, init.startTime, graceMs)) return;
  }
  await runtime.kill(id, "SIGKILL", { all: true });
  if (init) await waitUntilGone(init.pid, init.startTime, KILL_WAIT_MS);
}

/**
 * Removes the runtime's state, the cgroups and Isolab's files. Every step
 * runs even if an earlier one failed, so one stuck part does not hide the
 * others; the first error is rethrown at the end.
 */
export async function removeTraces(t: ContainerTraces): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (step: () => unknown) => {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  };
  await attempt(() => t.runtime.delete(t.id, { force: true }));
  await attempt(() => removeCgroup(t.cgroupPath));
  for (const p of t.paths) await attempt(() => fs.rmSync(p, { recursive: true, force: true }));
  if (errors.length > 0) throw errors[0];
}
