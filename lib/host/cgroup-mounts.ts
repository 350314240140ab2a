import type { CgroupVersion } from "@/lib/core/types";

// Which cgroup hierarchies a host has mounted, from /proc/mounts (pure).

export interface CgroupMount {
  mountPoint: string;
  version: 1 | 2;
  /** v1: the controllers on this hierarchy (e.g. ["cpu", "cpuacct"]); v2: []. */
  controllers: string[];
  /** v1 named hierarchies without controllers, e.g. "systemd" for name=systemd. */
  name?: string;
}

const V1_NON_CONTROLLER_OPTIONS = new Set([
  "rw",
  "ro",
  "nosuid",
  "nodev",
  "noexec",
  "relatime",
  "noatime",
  "strictatime",
  "nodiratime",
  "xattr",
  "noprefix",
  "clone_children",
  "cpuset_v2_mode",
  "none",
]);

/** /proc/mounts escapes spaces, tabs, newlines and backslashes as octal. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Every cgroup hierarchy mounted, from the text of /proc/mounts. */
export function parseCgroupMounts(procMounts: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of procMounts.split("\n")) {
    const [, mountPoint, fsType, options] = line.trim().split(/\s+/);
    if (!mountPoint || !options) continue;
    if (fsType === "cgroup2") {
      mounts.push({ mountPoint: unescapeMountField(mountPoint), version: 2, controllers: [] });
    } else if (fsType === "cgroup") {
      const opts = options.split(",");
      const name = opts.find((o) => o.startsWith("name="))?.slice("name=".length);
      const controllers = opts.filter((o) => !o.includes("=") && !V1_NON_CONTROLLER_OPTIONS.has(o));
      mounts.push({ mountPoint: unescapeMountField(mountPoint), version: 1, controllers, ...(name ? { name } : {}) });
    }
  }
  return mounts;
}

/**
 * v2: only a cgroup2 hierarchy. hybrid: v1 controllers plus a cgroup2 mount
 * (systemd's "unified" layout; crun refuses it when the v2 side holds
 * controllers). v1: no cgroup2 mount at all.
 */
export function detectCgroupVersion(mounts: CgroupMount[]): CgroupVersion {
  const hasV1Controllers = mounts.some((m) => m.version === 1 && m.controllers.length > 0);
  const hasV2 = mounts.some((m) => m.version === 2);
  if (hasV2 && !hasV1Controllers) return "v2";
  return hasV2 ? "hybrid" : "v1";
}

/** The hierarchy that carries a v1 controller (co-mounted ones like cpu,cpuacct included). */
export function v1MountFor(mounts: CgroupMount[], controller: string): CgroupMount | undefined {
  return mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
}
