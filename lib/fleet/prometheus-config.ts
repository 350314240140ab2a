import { stringify } from "yaml";

// The configuration of the Prometheus Isolab starts: one scrape job per host
// (each host has its own token, and Prometheus's `authorization` block is per
// job), every target labelled `host` (the name the admin gave) so that the
// fleet's queries and deploy/'s rules and dashboard group by the same label
// as on Kubernetes, where `host` is the node's name. Pure: YAML from values.

export interface ScrapeTarget {
  /** The `host` label: a DNS-label-like name (lib/schemas/fleet.ts). */
  name: string;
  /** Isolab's base URL on that host. */
  url: string;
  /** A file holding the bearer token (mode 0600), sent as `Authorization: Bearer …`; none: no header. */
  credentialsFile?: string;
}

export interface PrometheusConfigSpec {
  targets: ScrapeTarget[];
  scrapeIntervalS: number;
  /** Rule files (recording rules and alerts), absolute paths. */
  ruleFiles?: string[];
}

/** Job names are `isolab-<host>`; the fleet's queries select `job=~"isolab-.+"`. */
export const JOB_PREFIX = "isolab-";

export function scrapeJob(t: ScrapeTarget, intervalS: number) {
  const u = new URL(t.url);
  const basePath = u.pathname.replace(/\/+$/, "");
  return {
    job_name: `${JOB_PREFIX}${t.name}`,
    scheme: u.protocol.slice(0, -1),
    metrics_path: `${basePath}/api/metrics`,
    scrape_interval: `${intervalS}s`,
    // A scrape must end before the next one starts.
    scrape_timeout: `${Math.max(1, Math.floor(intervalS * 0.8))}s`,
    ...(t.credentialsFile ? { authorization: { type: "Bearer", credentials_file: t.credentialsFile } } : {}),
    static_configs: [{ targets: [u.host], labels: { host: t.name, isolab_url: `${u.protocol}//${u.host}${basePath}` } }],
  };
}

export function prometheusConfigYaml({ targets, scrapeIntervalS, ruleFiles = [] }: PrometheusConfigSpec): string {
  if (!(Number.isInteger(scrapeIntervalS) && scrapeIntervalS >= 1 && scrapeIntervalS <= 300))
    throw new Error(`scrape interval must be 1–300 s, got ${scrapeIntervalS}`);
  const names = new Set<string>();
  for (const t of targets) {
    if (names.has(t.name)) throw new Error(`host "${t.name}" appears twice`);
    names.add(t.name);
  }
  for (const f of [...ruleFiles, ...targets.flatMap((t) => (t.credentialsFile ? [t.credentialsFile] : []))]) {
    if (!f.startsWith("/")) throw new Error(`paths in the config must be absolute, got ${f}`);
  }
  const config = {
    global: { scrape_interval: `${scrapeIntervalS}s`, evaluation_interval: `${scrapeIntervalS}s` },
    ...(ruleFiles.length ? { rule_files: ruleFiles } : {}),
    scrape_configs: targets.map((t) => scrapeJob(t, scrapeIntervalS)),
  };
  return `# Written by Isolab; rewritten whenever the fleet's hosts change.\n${stringify(config)}`;
}
