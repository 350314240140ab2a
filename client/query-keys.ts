// Every react-query key in one place, so invalidation never misses a spelling.
export const queryKeys = {
  host: ["host"] as const,
  instances: ["instances"] as const,
  instance: (id: string) => ["instances", id] as const,
  instanceLog: (id: string) => ["instances", id, "log"] as const,
  /** Not under "instances": invalidating the list must not re-run `info` inside every instance. */
  instanceViews: (id: string) => ["views", id] as const,
  samples: ["samples"] as const,
  samplesSnapshot: (windowS: number) => ["samples", "snapshot", windowS] as const,
  instanceSamplesAll: (id: string) => ["samples", "instance", id] as const,
  instanceSamples: (id: string, windowS: number) => ["samples", "instance", id, windowS] as const,
  experiments: ["experiments"] as const,
  experiment: (id: string) => ["experiments", id] as const,
  /** Not under "instances": every figures read runs `probe info` inside each instance (cached ~10 s server-side). */
  figures: ["figures"] as const,
  images: ["images"] as const,
  registry: ["registry"] as const,
  registryCatalog: ["registry", "catalog"] as const,
  snapshots: ["snapshots"] as const,
  audit: (query: string) => ["audit", query] as const,
  fleet: ["fleet"] as const,
  fleetPrometheus: ["fleet", "prometheus"] as const,
  fleetRuns: ["fleet-runs"] as const,
  fleetRun: (id: string) => ["fleet-runs", id] as const,
  me: ["me"] as const,
  accessUsers: ["access", "users"] as const,
  accessTokens: ["access", "tokens"] as const,
  terminalRecordings: (id: string) => ["terminal-recordings", id] as const,
};

/** How often lists refresh when no live stream is connected, in milliseconds. */
export const LIST_REFRESH_MS = 2000;
/** A safety-net refresh while the live stream delivers every change, in milliseconds. */
export const LIVE_FALLBACK_REFRESH_MS = 30_000;
/** Samples refresh this often only while the stream is down, in milliseconds. */
export const SAMPLES_REFRESH_MS = 5000;
/** Host facts change rarely (memory does); in milliseconds. */
export const HOST_REFRESH_MS = 10_000;
/** An instance's terminal recordings (new ones appear as sessions end), in milliseconds. */
export const RECORDINGS_REFRESH_MS = 5000;
/** The console/log tail, in milliseconds. */
export const LOG_REFRESH_MS = 2000;
/** Longest wait between attempts to reopen a stream the browser gave up on, in milliseconds. */
export const STREAM_RETRY_MAX_MS = 10_000;
/** An experiment's progress while it is queued or running, in milliseconds. */
export const EXPERIMENT_REFRESH_MS = 1000;
/** The figures' facts; live parts (memory, instances) change each second, `probe info` is cached 10 s; in milliseconds. */
export const FIGURES_REFRESH_MS = 5000;
/** The image store and the registry change only when someone acts; in milliseconds. */
export const IMAGES_REFRESH_MS = 5000;
export const REGISTRY_REFRESH_MS = 5000;
/** VM snapshots change when someone saves, deletes or warm-launches; in milliseconds. */
export const SNAPSHOTS_REFRESH_MS = 5000;
/** The audit log's newest page while the page is open, in milliseconds. */
export const AUDIT_REFRESH_MS = 5000;
/** The fleet page asks Prometheus this often until it says its scrape interval (then once per scrape), and the fleet's runs always; in milliseconds. */
export const FLEET_REFRESH_MS = 3000;
/** Who is signed in: a role changes only when an admin changes it; in milliseconds. */
export const ME_REFRESH_MS = 60_000;
