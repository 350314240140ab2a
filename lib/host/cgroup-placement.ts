import type { CgroupVersion } from "@/lib/core/types";
import { detectCgroupVersion, parseCgroupMounts, type CgroupMount } from "./cgroup-mounts";

// Where Isolab puts its containers' cgroups (pure: the inputs are the texts of
// /proc/self/mountinfo and /proc/self/cgroup, and whether systemd delegated
// the process's own cgroup).
//
// On cgroup v2 under systemd the hierarchy belongs to systemd; a service may
// only manage the subtree it was delegated (Delegate=yes). There Isolab nests
// its containers under its OWN cgroup: <own>/isolab/<id>. Everywhere else
// (v1, hybrid, v2 without delegation) it keeps the root-level /isolab/<id>.

export const ISOLAB_CGROUP_NAME = "isolab";
/**
 * The leaf the Isolab process moves itself into before it enables
 * controllers for its subtree: cgroup v2 forbids processes in a cgroup whose
 * children get controllers ("no internal processes").
 */
export const SUPERVISOR_LEAF = "supervisor";
/** The controllers a container's limits and readings need; io is read when present. */
export const REQUIRED_CONTROLLERS = ["memory", "cpu", "pids"] as const;
export const WANTED_CONTROLLERS = [...REQUIRED_CONTROLLERS, "io"] as const;

/**
 * Every cgroup hierarchy in the text of /proc/self/mountinfo (proc(5):
 * "id parent dev root mountpoint opts … - fstype source superopts"), read as
 * the same fields of /proc/mounts would be.
 */
export function parseMountinfoCgroups(mountinfo: string): CgroupMount[] {
  const asProcMounts = mountinfo.split("\n").flatMap((line) => {
    const sep = line.indexOf(" - ");
    if (sep < 0) return [];
    const mountPoint = line.slice(0, sep).split(" ")[4];
    const [fsType, source, superOptions] = line.slice(sep + 3).split(" ");
    return mountPoint && superOptions ? [`${source} ${mountPoint} ${fsType} ${superOptions}`] : [];
  });
  return parseCgroupMounts(asProcMounts.join("\n"));
}

export function cgroupModeFromMountinfo(mountinfo: string): CgroupVersion {
  return detectCgroupVersion(parseMountinfoCgroups(mountinfo));
}

/** The unified (v2) line of /proc/self/cgroup, `0::<path>`; null when the process has none. */
export function ownUnifiedCgroup(procSelfCgroup: string): string | null {
  for (const line of procSelfCgroup.split("\n")) {
    const m = /^0::(\/.*)$/.exec(line.trim());
    if (m) return m[1];
  }
  return null;
}

/** The systemd unit a cgroup path belongs to (its last `.service` or `.scope` component), or null. */
export function unitOfCgroup(cgroupPath: string): string | null {
  const units = cgroupPath.split("/").filter((p) => /\.(service|scope)$/.test(p));
  return units.at(-1) ?? null;
}

/** `systemctl show -p A -p B` output ("A=x" lines) as a map. */
export function parseSystemctlShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return out;
}

export interface PlacementInput {
  version: CgroupVersion;
  /** The process's own v2 cgroup (ownUnifiedCgroup), before it moved into its leaf. */
  ownCgroup: string | null;
  /** systemd delegated ownCgroup to this process (Delegate=yes on its service or scope). */
  delegated: boolean;
}

export interface Placement {
  /** The parent of every container cgroup, relative to the hierarchy root: "/isolab" or "<own>/isolab". */
  parent: string;
  /** The delegated cgroup Isolab manages, when it uses one. */
  delegatedRoot: string | null;
  why: string;
}

export function chooseCgroupPlacement(input: PlacementInput): Placement {
  const atRoot = `/${ISOLAB_CGROUP_NAME}`;
  if (input.version !== "v2")
    return { parent: atRoot, delegatedRoot: null, why: `cgroup ${input.version}: containers go under /${ISOLAB_CGROUP_NAME} in each hierarchy` };
  const own = input.ownCgroup?.replace(/\/+$/, "") ?? "";
  if (!own || own === "/") return { parent: atRoot, delegatedRoot: null, why: "Isolab runs in the root cgroup: containers go under /isolab" };
  if (!input.delegated) {
    return { parent: atRoot, delegatedRoot: null, why: `${own} is not delegated to Isolab: containers go under /isolab, beside systemd's tree` };
  }
  // Already moved into its leaf (a second call, or a restart inside the same cgroup).
  const root = own.endsWith(`/${SUPERVISOR_LEAF}`) ? own.slice(0, -SUPERVISOR_LEAF.length - 1) : own;
  return { parent: `${root}/${ISOLAB_CGROUP_NAME}`, delegatedRoot: root, why: `${root} is delegated to Isolab: containers go under it` };
}

/** The controllers of a `cgroup.controllers` / `cgroup.subtree_control` text. */
export function parseControllers(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}
