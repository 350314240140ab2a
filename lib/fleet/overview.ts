import type { FleetHost, FleetHostView, PromTarget, Reading } from "@/lib/schemas/fleet";
import type { FleetQueryName } from "./queries";

// Turns Prometheus's answers into one view per host. Pure: each query's
// result (or why it failed) in, hosts out, so every fault the page shows —
// a failed query, a scrape error, a host Prometheus does not know — is
// table-tested here.

export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

export type QueryOutcome = { samples: VectorSample[] } | { error: string };

export interface OverviewInput {
  hosts: FleetHost[];
  results: Record<FleetQueryName, QueryOutcome>;
  /** The targets API's answer, or why it failed. */
  targets: PromTarget[] | { error: string };
  history: { host: string; points: [number, number][] }[];
}

const KINDS = ["process", "container", "vm"] as const;

function pick(outcome: QueryOutcome, host: string, match: Record<string, string> = {}): Reading {
  if ("error" in outcome) return { error: outcome.error };
  const s = outcome.samples.find((x) => x.metric.host === host && Object.entries(match).every(([k, v]) => x.metric[k] === v));
  if (!s) return { error: "no data" };
  if (!Number.isFinite(s.value)) return { error: "no data (NaN: nothing to compare yet)" };
  return { value: s.value };
}

export function buildHostViews({ hosts, results, targets, history }: OverviewInput): FleetHostView[] {
  const names = new Set(hosts.map((h) => h.name));
  // Hosts Prometheus scrapes that Isolab was not told about (an external Prometheus, a DaemonSet) are shown too.
  if (!("error" in results.up)) for (const s of results.up.samples) if (s.metric.host) names.add(s.metric.host);

  return [...names].map((name): FleetHostView => {
    const stored = hosts.find((h) => h.name === name);
    const problems: string[] = [];
    const up = pick(results.up, name);
    const target = Array.isArray(targets) ? targets.find((t) => t.labels.host === name) : undefined;
    const scrapeError = target?.lastError ? target.lastError : null;
    let state: FleetHostView["state"] = "unknown";
    if ("value" in up) state = up.value === 1 ? "up" : "down";
    else if ("error" in results.up) problems.push(`state unknown: ${results.up.error}`);
    else if (target?.health === "down") state = "down";
    else problems.push(Array.isArray(targets) && !target ? "Prometheus has no target for this host yet" : "not scraped yet");
    if (scrapeError) problems.push(`scrape failed: ${scrapeError}`);
    if (!Array.isArray(targets)) problems.push(`targets unknown: ${targets.error}`);

    const lastSeen = pick(results.lastSeen, name);
    const info = "error" in results.info ? undefined : results.info.samples.find((s) => s.metric.host === name);
    const startup = Object.fromEntries(
      KINDS.map((kind) => [
        kind,
        { p50: pick(results.startupP50, name, { kind }), p95: pick(results.startupP95, name, { kind }), count: pick(results.startupCount, name, { kind }) },
      ]),
    );
    return {
      name,
      url: stored?.url ?? null,
      state,
      lastSeenMs: "value" in lastSeen ? Math.round(lastSeen.value * 1000) : null,
      scrapeError,
      accelerator: info?.metric.accelerator ?? null,
      hostname: info?.metric.hostname ?? null,
      instances: Object.fromEntries(KINDS.map((kind) => [kind, pick(results.instances, name, { kind })])),
      memory: { totalBytes: pick(results.memTotal, name), availableBytes: pick(results.memAvailable, name), reserveBytes: pick(results.memReserve, name) },
      vmToContainerMemory: pick(results.vmToContainerMemory, name),
      startup,
      samplerCores: pick(results.samplerCores, name),
      availableHistory: history.find((h) => h.host === name)?.points ?? [],
      problems,
    };
  });
}
