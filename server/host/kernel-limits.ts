import "server-only";
import fs from "node:fs";
import { NAMESPACE_TYPES, type HostLimits, type NamespaceType } from "@/lib/host/kernel-limits";
import type { InstanceLimits } from "@/lib/host/limits";
import { instanceLimits } from "./instance-limits";
import { parseLoadavgThreads } from "@/lib/host/procfs";
import { config } from "@/server/config";

// Reads the host's limits on more instances (lib/host/kernel-limits.ts for
// the arithmetic): pid_max, threads-max, the per-type namespace limits and
// how many of each are in use, and Isolab's own caps as the server applies them.

const readInt = (file: string): number => {
  const v = Number(fs.readFileSync(file, "utf8").trim());
  if (!Number.isFinite(v)) throw new Error(`${file} is not a number`);
  return v;
};

/** The namespace a process is in, by the link's inode ("net:[4026531840]"); null when it is gone or unreadable. */
function nsLink(pid: number | "self", type: NamespaceType): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${type}`);
  } catch {
    return null;
  }
}

/** Distinct namespaces of each type over every process the host shows (one walk of /proc). */
function namespacesInUse(): Partial<Record<NamespaceType, number>> {
  const seen = Object.fromEntries(NAMESPACE_TYPES.map((t) => [t, new Set<string>()])) as Record<NamespaceType, Set<string>>;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    for (const t of NAMESPACE_TYPES) {
      const link = nsLink(Number(entry), t);
      if (link) seen[t].add(link);
    }
  }
  return Object.fromEntries(NAMESPACE_TYPES.filter((t) => seen[t].size > 0).map((t) => [t, seen[t].size]));
}

export function readHostLimits(): HostLimits {
  const inUse = namespacesInUse();
  const namespaces: HostLimits["namespaces"] = {};
  for (const t of NAMESPACE_TYPES) {
    try {
      namespaces[t] = { max: readInt(`/proc/sys/user/max_${t}_namespaces`), inUse: inUse[t] ?? 0 };
    } catch {
      // An older kernel without this limit: it does not bound anything here.
    }
  }
  return {
    pidMax: readInt("/proc/sys/kernel/pid_max"),
    threadsMax: readInt("/proc/sys/kernel/threads-max"),
    threadsInUse: parseLoadavgThreads(fs.readFileSync("/proc/loadavg", "utf8")),
    namespaces,
  };
}

/** Tasks on the host now (every thread takes a pid). */
export function readHostTasks(): number {
  return parseLoadavgThreads(fs.readFileSync("/proc/loadavg", "utf8"));
}

/** Which namespace types this process has of its own (not the host's, as this server sees it). */
export function ownNamespaces(pid: number): Partial<Record<NamespaceType, 0 | 1>> {
  const out: Partial<Record<NamespaceType, 0 | 1>> = {};
  for (const t of NAMESPACE_TYPES) {
    const mine = nsLink("self", t);
    const its = nsLink(pid, t);
    if (mine && its) out[t] = mine === its ? 0 : 1;
  }
  return out;
}

/** Isolab's caps as the server computes them (the same function server/app/create-app.ts uses). */
export function isolabCaps(): InstanceLimits {
  return instanceLimits(config);
}
