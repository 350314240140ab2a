import "server-only";
import { buildHostViews, type QueryOutcome } from "@/lib/fleet/overview";
import { AVAILABLE_HISTORY, FLEET_QUERIES, type FleetQueryName } from "@/lib/fleet/queries";
import { isolabScrapeIntervalS } from "@/lib/fleet/refresh";
import type { FleetOverview } from "@/lib/schemas/fleet";
import type { FleetHosts } from "./hosts";
import { activeTargets, instantQuery, rangeQuery, type PromCallOptions } from "./prometheus-api";
import type { PrometheusManager } from "./prometheus-manager";

// GET /api/fleet: every query at once, each with its own deadline, so the
// answer takes at most one query timeout whatever Prometheus does; a failed
// query becomes that figure's reason on every host, never a failed page.
// Every query is evaluated at one instant, `queriedAt`, so the figures of
// one answer agree, and each reads the newest raw sample (instant vectors
// with Prometheus's 5 min lookback): a host's state and instances show
// from its first scrape; only the sampler's cost is a rate (two scrapes).

export async function fleetOverview(deps: { hosts: FleetHosts; prometheus: PrometheusManager }, opts: PromCallOptions = {}): Promise<FleetOverview> {
  const [prometheus, hosts] = [await deps.prometheus.status(), deps.hosts.list()];
  const base = prometheus.url;
  const nowMs = Date.now();
  const queriedAt = new Date(nowMs).toISOString();
  const names = Object.keys(FLEET_QUERIES) as FleetQueryName[];
  if (!base || !prometheus.reachable) {
    const why = base ? `Prometheus is not reachable: ${prometheus.note}` : "no Prometheus: start Isolab's own or give the URL of one";
    const results = Object.fromEntries(names.map((n) => [n, { error: why }])) as Record<FleetQueryName, QueryOutcome>;
    return { prometheus, hosts: buildHostViews({ hosts, results, targets: { error: why }, history: [] }), problems: [why], queriedAt, scrapeIntervalS: null };
  }
  const errorOf = (err: unknown) => ({ error: (err as Error).message });
  const nowS = nowMs / 1000;
  const [outcomes, targets, history] = await Promise.all([
    Promise.all(
      names.map((n) =>
        instantQuery(base, FLEET_QUERIES[n], { ...opts, atS: nowS }).then(
          (v): QueryOutcome => ({ samples: v.map((s) => ({ metric: s.metric, value: Number(s.value[1]) })) }),
          errorOf,
        ),
      ),
    ),
    activeTargets(base, opts).catch(errorOf),
    rangeQuery(base, AVAILABLE_HISTORY.query, { startS: nowS - AVAILABLE_HISTORY.windowS, endS: nowS, stepS: AVAILABLE_HISTORY.stepS }, opts).then(
      (m) => m.map((s) => ({ host: s.metric.host ?? "", points: s.values.map(([t, v]): [number, number] => [Math.round(t * 1000), Number(v)]) })),
      () => [],
    ),
  ]);
  const results = Object.fromEntries(names.map((n, i) => [n, outcomes[i]])) as Record<FleetQueryName, QueryOutcome>;
  const failed = [...new Set(outcomes.flatMap((o) => ("error" in o ? [o.error] : [])))];
  const scrapeIntervalS = Array.isArray(targets) ? isolabScrapeIntervalS(targets) : null;
  return { prometheus, hosts: buildHostViews({ hosts, results, targets, history }), problems: failed, queriedAt, scrapeIntervalS };
}
