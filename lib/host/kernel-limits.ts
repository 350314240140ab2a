// The host's limits that stop more instances before memory does, and the
// arithmetic of "how many more by each, which comes first". Pure: the
// readings come from server/host/kernel-limits.ts, the per-instance use from
// a density run's steps.

/** Namespace types with a /proc/sys/user/max_<type>_namespaces limit and a /proc/<pid>/ns/<type> link. */
export const NAMESPACE_TYPES = ["net", "mnt", "pid", "ipc", "uts", "user", "cgroup"] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

export interface HostLimits {
  /** /proc/sys/kernel/pid_max: every task (process or thread) takes a pid below it. */
  pidMax: number;
  /** /proc/sys/kernel/threads-max. */
  threadsMax: number;
  /** Tasks on the host now (/proc/loadavg). */
  threadsInUse: number;
  /** /proc/sys/user/max_<type>_namespaces and the distinct namespaces of that type now (/proc/<pid>/ns). */
  namespaces: Partial<Record<NamespaceType, { max: number; inUse: number }>>;
}

export interface LimitUse {
  /** Stable id: "memory", "pid_max", "threads-max", "net-namespaces", "isolab-instances", … */
  id: string;
  /** Where the limit comes from, in words a reader can look up. */
  label: string;
  limit: number;
  inUse: number;
  /** What one more instance takes of it; null when not measured, 0 when it takes none. */
  perInstance: number | null;
  /** A hint how to raise it. */
  raise?: string;
}

export interface LimitCount extends LimitUse {
  /** Instances more by this limit alone; null when the instances take none of it (or it was not measured). */
  count: number | null;
}

/** How many more instances fit under one limit. */
export function countUnder(u: LimitUse): LimitCount {
  const ok = u.perInstance !== null && Number.isFinite(u.perInstance) && u.perInstance > 0 && Number.isFinite(u.limit) && Number.isFinite(u.inUse);
  // A hair of tolerance so 3 × 1/3 counts as 3.
  return { ...u, count: ok ? Math.max(0, Math.floor(Math.max(0, u.limit - u.inUse) / u.perInstance! + 1e-9)) : null };
}

/** The limit that allows the fewest more instances; on a tie, the one listed first. null when none bounds. */
export function firstLimit(counts: readonly LimitCount[]): LimitCount | null {
  let best: LimitCount | null = null;
  for (const c of counts) if (c.count !== null && (best === null || c.count < best.count!)) best = c;
  return best;
}

/** The kernel's limits as LimitUse rows, given what one instance takes of each. */
export function kernelLimitUses(h: HostLimits, perInstance: { tasks: number | null; namespaces: Partial<Record<NamespaceType, number>> }): LimitUse[] {
  const rows: LimitUse[] = [
    {
      id: "pid_max",
      label: "/proc/sys/kernel/pid_max (tasks on the host)",
      limit: h.pidMax,
      inUse: h.threadsInUse,
      perInstance: perInstance.tasks,
      raise: "sysctl kernel.pid_max",
    },
    {
      id: "threads-max",
      label: "/proc/sys/kernel/threads-max",
      limit: h.threadsMax,
      inUse: h.threadsInUse,
      perInstance: perInstance.tasks,
      raise: "sysctl kernel.threads-max",
    },
  ];
  for (const t of NAMESPACE_TYPES) {
    const ns = h.namespaces[t];
    if (!ns) continue;
    rows.push({
      id: `${t}-namespaces`,
      label: `/proc/sys/user/max_${t}_namespaces`,
      limit: ns.max,
      inUse: ns.inUse,
      perInstance: perInstance.namespaces[t] ?? null,
      raise: `sysctl user.max_${t}_namespaces`,
    });
  }
  return rows;
}

/** "pid_max: 2,261 more (32,768 − 149 in use, 14.4 each)". */
export function limitCountText(c: LimitCount): string {
  const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: v < 10 ? 2 : 1 });
  if (c.count === null) return `${c.id}: no bound (${c.perInstance === null ? "not measured" : "the instances take none of it"})`;
  return `${c.id}: ${c.count.toLocaleString("en-US")} more (${n(c.limit)} − ${n(c.inUse)} in use, ${n(c.perInstance!)} each)`;
}
