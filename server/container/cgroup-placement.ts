import "server-only";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { cgroupsPathFor } from "./spec";
import {
  chooseCgroupPlacement,
  cgroupModeFromMountinfo,
  ownUnifiedCgroup,
  parseControllers,
  parseSystemctlShow,
  unitOfCgroup,
  SUPERVISOR_LEAF,
  WANTED_CONTROLLERS,
  type Placement,
} from "@/lib/host/cgroup-placement";

// The live side of lib/host/cgroup-placement.ts: reads this process's cgroup,
// asks systemd whether it is delegated, and on cgroup v2 with delegation
// prepares the subtree once (moves Isolab into a leaf, enables controllers).

const V2_ROOT = "/sys/fs/cgroup";

/** Properties of a systemd unit (`systemctl show`); null without systemd. */
export function unitProperties(unit: string, props: string[]): Record<string, string> | null {
  try {
    const args = ["show", unit, ...props.map((p) => `--property=${p}`)];
    return parseSystemctlShow(execFileSync("systemctl", args, { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] }));
  } catch {
    return null;
  }
}

/** Delegate= of the unit that owns this cgroup, as systemd reports it; false without systemd. */
export function unitDelegated(cgroupPath: string | null): boolean {
  const unit = cgroupPath ? unitOfCgroup(cgroupPath) : null;
  return unit !== null && unitProperties(unit, ["Delegate"])?.Delegate === "yes";
}

/** What this process's placement would be, read from the host, without changing anything. */
export function readPlacement(): Placement {
  const mountinfo = fs.readFileSync("/proc/self/mountinfo", "utf8");
  const version = cgroupModeFromMountinfo(mountinfo);
  const own = ownUnifiedCgroup(fs.readFileSync("/proc/self/cgroup", "utf8"));
  return chooseCgroupPlacement({ version, ownCgroup: own, delegated: version === "v2" && unitDelegated(own) });
}

let placement: Placement | undefined;

/** The parent of every Isolab container cgroup; on first use with delegation, prepares the subtree. */
export function isolabCgroupParent(): string {
  if (!placement) {
    const p = readPlacement();
    if (p.delegatedRoot) {
      try {
        prepareDelegatedSubtree(p.delegatedRoot, p.parent);
      } catch (err) {
        // Not cached: the next container start tries again and says why again.
        throw new Error(`cannot prepare Isolab's delegated cgroup ${p.delegatedRoot}: ${(err as Error).message}`);
      }
    }
    placement = p;
  }
  return placement.parent;
}

/** This host's cgroup path of Isolab's container `id` (relative to each hierarchy's root). */
export function isolabCgroupPath(id: string): string {
  return cgroupsPathFor(id, isolabCgroupParent());
}

/**
 * cgroup v2 lets a cgroup hand controllers to its children only while it has
 * no processes of its own. So Isolab moves its processes into
 * <root>/supervisor, then enables memory, cpu, pids (and io) for <root> and
 * <root>/isolab. Only inside the delegated root: nothing else is touched.
 */
function prepareDelegatedSubtree(root: string, parent: string): void {
  const dir = (rel: string) => path.join(V2_ROOT, rel);
  const leaf = dir(`${root}/${SUPERVISOR_LEAF}`);
  fs.mkdirSync(leaf, { recursive: true });
  for (const pid of parseControllers(fs.readFileSync(path.join(dir(root), "cgroup.procs"), "utf8"))) {
    try {
      fs.writeFileSync(path.join(leaf, "cgroup.procs"), pid);
    } catch (err) {
      // A process that exited meanwhile is gone from the list anyway.
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }
  const available = parseControllers(fs.readFileSync(path.join(dir(root), "cgroup.controllers"), "utf8"));
  const enable = WANTED_CONTROLLERS.filter((c) => available.includes(c))
    .map((c) => `+${c}`)
    .join(" ");
  fs.mkdirSync(dir(parent), { recursive: true });
  if (enable) {
    fs.writeFileSync(path.join(dir(root), "cgroup.subtree_control"), enable);
    fs.writeFileSync(path.join(dir(parent), "cgroup.subtree_control"), enable);
  }
}
