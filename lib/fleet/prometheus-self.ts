// What Isolab reads from Prometheus about Prometheus itself. Pure: text in,
// values out.
//
// - Whether a config reload was applied: its own /metrics (served whether or
//   not it scrapes itself) has `prometheus_config_last_reload_successful` and
//   `prometheus_config_last_reload_success_timestamp_seconds`, the latter to
//   the microsecond (the status API's `lastConfigTime` rounds to the second,
//   too coarse for two reloads in one second).
// - How often it scrapes a target: the targets API's `scrapeInterval`, a
//   Prometheus duration such as "1s", "1m30s" or "500ms".

export interface ReloadState {
  /** Whether the last reload attempt worked. */
  successful: boolean;
  /** When a reload last worked (the start counts as one), seconds since the epoch. */
  lastSuccessS: number;
}

function gauge(exposition: string, name: string): number | null {
  const m = exposition.match(new RegExp(`^${name} (\\S+)$`, "m"));
  const v = m ? Number(m[1]) : NaN;
  return Number.isFinite(v) ? v : null;
}

/** null when either gauge is missing (not a Prometheus, or one too old to say). */
export function parseReloadState(exposition: string): ReloadState | null {
  const successful = gauge(exposition, "prometheus_config_last_reload_successful");
  const lastSuccessS = gauge(exposition, "prometheus_config_last_reload_success_timestamp_seconds");
  return successful === null || lastSuccessS === null ? null : { successful: successful === 1, lastSuccessS };
}

const UNIT_S = { y: 365 * 86400, w: 7 * 86400, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 } as const;

/** Seconds in a Prometheus duration ("1m30s" → 90), or null when it is not one. */
export function parsePromDuration(text: string): number | null {
  const m = text.match(/^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/);
  if (!text || !m) return null;
  const units = Object.values(UNIT_S);
  return m.slice(1).reduce((sum, part, i) => sum + (part ? Number(part) * units[i] : 0), 0);
}
