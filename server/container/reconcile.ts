import "server-only";
import fs from "node:fs";
import path from "node:path";
import { MissingDependencyError } from "@/server/errors";
import { cgroupDirs, listIsolabCgroups, removeCgroup } from "./cgroup";
import { RUNTIME_NAMES, runtimeRoot, selectRuntime } from "./select-runtime";
import { isolabCgroupPath } from "./cgroup-placement";

/**
 * After a crash or a kill -9 of the server: deletes every container under
 * Isolab's runtime roots in stateDir (both runtimes, in case the setting
 * changed), then every *empty* `isolab/<id>` cgroup. A cgroup with tasks in
 * any hierarchy belongs to a live container (perhaps of another Isolab state
 * dir) and is left alone.
 */
export async function reconcileContainers(stateDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of RUNTIME_NAMES) {
    if (!fs.existsSync(runtimeRoot(name, stateDir))) continue;
    const runtime = selectRuntime(name, stateDir);
    let containers;
    try {
      containers = await runtime.list();
    } catch (err) {
      if (err instanceof MissingDependencyError) continue;
      throw err;
    }
    for (const c of containers) {
      await runtime.delete(c.id, { force: true });
      removed.push(`${name} container ${c.id}`);
    }
  }
  for (const id of listIsolabCgroups()) {
    const cgroupPath = isolabCgroupPath(id);
    if (!isEmpty(cgroupPath)) continue;
    try {
      if ((await removeCgroup(cgroupPath, { timeoutMs: 0 })).length > 0) removed.push(`cgroup isolab/${id}`);
    } catch {
      // Became busy in between: a container is starting in it.
    }
  }
  return removed;
}

function isEmpty(cgroupPath: string): boolean {
  return cgroupDirs(cgroupPath).every((dir) => {
    try {
      return fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").trim() === "";
    } catch {
      return true;
    }
  });
}
