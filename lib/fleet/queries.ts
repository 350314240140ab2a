// The PromQL the fleet page asks, one place, so the page, deploy/'s rules and
// dashboard and the tests that run every expression against a real
// Prometheus agree. Every per-host figure groups by the `host` label (the
// name the admin gave; the node's name on Kubernetes).

/** Isolab's scrape jobs: `isolab-<host>` from Isolab's own config, `isolab` from deploy/ (anchored, as PromQL's `=~` is). */
const ISOLAB_JOB_PATTERN = "isolab(-.+)?";
export const ISOLAB_JOBS = `job=~"${ISOLAB_JOB_PATTERN}"`;
export const ISOLAB_JOB_RE = new RegExp(`^${ISOLAB_JOB_PATTERN}$`);

export const STARTUP_QUANTILES = { p50: 0.5, p95: 0.95 } as const;

export const FLEET_QUERIES = {
  up: `max by (host) (up{${ISOLAB_JOBS}})`,
  /**
   * When the host was last scraped successfully, seconds since the epoch, looking back one hour: its own
   * clock in its last sample (raw samples, exact; a subquery over `up` would depend on step alignment).
   */
  lastSeen: `max by (host) (max_over_time(isolab_host_time_seconds[1h]))`,
  info: `max by (host, hostname, accelerator, cgroup) (isolab_host_info)`,
  instances: `sum by (host, kind) (isolab_instances{state="running"})`,
  memTotal: `max by (host) (isolab_host_memory_total_bytes)`,
  memAvailable: `max by (host) (isolab_host_memory_available_bytes)`,
  memReserve: `max by (host) (isolab_host_memory_reserve_bytes)`,
  vmToContainerMemory: `avg by (host) (isolab_memory_host_bytes{kind="vm"}) / avg by (host) (isolab_memory_host_bytes{kind="container"})`,
  startupCount: `sum by (host, kind) (isolab_startup_seconds_count)`,
  startupP50: `histogram_quantile(${STARTUP_QUANTILES.p50}, sum by (host, kind, le) (isolab_startup_seconds_bucket))`,
  startupP95: `histogram_quantile(${STARTUP_QUANTILES.p95}, sum by (host, kind, le) (isolab_startup_seconds_bucket))`,
  samplerCores: `sum by (host) (rate(isolab_sampler_seconds_total[1m]))`,
} as const;

export type FleetQueryName = keyof typeof FLEET_QUERIES;

/** query_range: MemAvailable per host over the last 15 minutes, one point every 15 s. */
export const AVAILABLE_HISTORY = { query: `max by (host) (isolab_host_memory_available_bytes)`, windowS: 900, stepS: 15 } as const;
