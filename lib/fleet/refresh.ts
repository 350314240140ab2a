import type { PromTarget } from "@/lib/schemas/fleet";
import { parsePromDuration } from "./prometheus-self";
import { ISOLAB_JOB_RE } from "./queries";

// How often the fleet page asks again. New figures arrive only with a
// scrape, so the page asks once per scrape interval — the one Prometheus
// says it uses (the targets API), whichever Prometheus it is — and then
// shows a scrape at most one interval (plus one answer) after it happened.

/** Never more often than this, whatever a Prometheus elsewhere scrapes at, in milliseconds. */
export const FLEET_REFRESH_MIN_MS = 1000;
/** Never less often: Prometheus itself going down shows within this, in milliseconds. */
export const FLEET_REFRESH_MAX_MS = 15_000;

/** The shortest scrape interval among Isolab's targets, in seconds; null when Prometheus lists none (or says none readably). */
export function isolabScrapeIntervalS(targets: PromTarget[]): number | null {
  const intervals = targets
    .filter((t) => ISOLAB_JOB_RE.test(t.labels.job ?? ""))
    .map((t) => (t.scrapeInterval ? parsePromDuration(t.scrapeInterval) : null))
    .filter((s): s is number => s !== null && s > 0);
  return intervals.length ? Math.min(...intervals) : null;
}

/** The page's refetch period in milliseconds: one scrape interval within the bounds above, or `fallbackMs` while it is unknown. */
export function fleetRefreshMs(scrapeIntervalS: number | null | undefined, fallbackMs: number): number {
  if (!scrapeIntervalS) return fallbackMs;
  return Math.min(FLEET_REFRESH_MAX_MS, Math.max(FLEET_REFRESH_MIN_MS, Math.round(scrapeIntervalS * 1000)));
}
