import "server-only";
import os from "node:os";
import fs from "node:fs";
import { ProbeInfoSchema } from "@/lib/metrics/guest-view";
import { parseLastJson } from "@/lib/probe/output";
import { toGuestFacts, UPTIME_RESOLUTION_MS } from "@/lib/figures/guest-facts";
import type { GuestFacts } from "@/lib/schemas/figures";
import type { Instance } from "@/lib/core/types";
import { getImage } from "@/server/images/store";
import type { Supervisor } from "@/server/instances/supervisor";
import { runCommand } from "@/server/host/run-command";

// `probe info` from inside each instance (and on the host), cached briefly:
// the figures page refreshes every few seconds and a runc exec or a trip
// through a TCG guest's serial agent is not free. Concurrent callers share
// one read. One cache per app (server/app/create-app.ts builds it).

/** How long one read of `probe info` is reused, in milliseconds. */
export const GUEST_FACTS_TTL_MS = 10_000;

export type FactsResult = { facts: GuestFacts } | { error: string };

/** What reading guest facts needs of the supervisor. */
export type GuestFactsSupervisor = Pick<Supervisor, "exec">;

const VIA: Record<Instance["kind"], string> = {
  process: "probe info run on the host (bare process)",
  container: "probe info via runc exec inside",
  vm: "probe info via the guest agent inside",
};

function parse(output: string, exitCode: number, t0: number, t1: number, source: string): FactsResult {
  if (exitCode !== 0) return { error: `probe info exited with ${exitCode}` };
  const info = ProbeInfoSchema.safeParse(parseLastJson(output));
  if (!info.success) return { error: `probe info printed no usable result` };
  return { facts: toGuestFacts(info.data, t0, t1, source) };
}

/**
 * An instance the figures may read from inside: running, and not one an
 * experiment started (a `probe info` exec there would land inside its
 * measurement windows, as the sampler's would).
 */
export function readableInside(instance: Instance): boolean {
  return instance.state === "running" && !instance.experimentId;
}

export type GuestFactsReader = ReturnType<typeof createGuestFacts>;

/** The figures' reads of `probe info`, with their cache. */
export function createGuestFacts() {
  const cache = new Map<string, { until: number; value: Promise<FactsResult> }>();

  function cached(id: string, read: () => Promise<FactsResult>): Promise<FactsResult> {
    const hit = cache.get(id);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = read().catch((err: Error) => ({ error: err.message }));
    cache.set(id, { until: Date.now() + GUEST_FACTS_TTL_MS, value });
    return value;
  }

  function read(supervisor: GuestFactsSupervisor, instance: Instance): Promise<FactsResult> {
    return cached(instance.id, async () => {
      const t0 = Date.now();
      const r = await supervisor.exec(instance.id, { command: "info", args: [], timeoutMs: 10_000 });
      return parse(r.output, r.exitCode, t0, Date.now(), `${VIA[instance.kind]} ${instance.name}`);
    });
  }

  /** The host's own view, with the same probe, so the host and the instances are compared like for like. */
  function readHost(): Promise<FactsResult> {
    return cached("(host)", async () => {
      try {
        const image = await getImage("probe");
        const t0 = Date.now();
        const r = await runCommand(image.probePath, ["info"], { timeoutMs: 5000 });
        return parse(r.output, r.exitCode, t0, Date.now(), "probe info on the host");
      } catch {
        // No image yet: the same facts from the host's kernel interfaces.
        const now = Date.now();
        const uptime = Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]);
        const total = os.totalmem();
        return {
          facts: {
            kernelRelease: os.release(),
            kernelVersion: os.version(),
            hostname: os.hostname(),
            processCount: 0,
            processNames: [],
            memTotalBytes: total,
            memUsedBytes: Math.max(0, total - os.freemem()),
            bootedAtMs: now - uptime * 1000,
            bootedAtErrorMs: UPTIME_RESOLUTION_MS,
            source: "uname and /proc/uptime on the host",
            at: new Date(now).toISOString(),
          },
        };
      }
    });
  }

  /** Drops cached reads of instances that no longer exist. */
  function prune(liveIds: Iterable<string>): void {
    const keep = new Set(liveIds);
    for (const id of cache.keys()) if (id !== "(host)" && !keep.has(id)) cache.delete(id);
  }

  /** One result per instance, in order; null for those not read (see readableInside). */
  function readAll(supervisor: GuestFactsSupervisor, instances: Instance[]): Promise<(FactsResult | null)[]> {
    return Promise.all(instances.map((i) => (readableInside(i) ? read(supervisor, i) : Promise.resolve(null))));
  }

  return { read, readAll, readHost, prune };
}
