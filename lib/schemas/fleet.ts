import { z } from "zod";
import { ExperimentPlanSchema } from "./experiment";

// The fleet's inputs (hosts an admin adds, which Prometheus to use), what
// GET /api/fleet answers, and Prometheus's HTTP API v1 as Isolab reads it
// (raw shapes named after their source).

/** A host's name: Prometheus's `host` label and part of a job name, so a DNS-label-like word. */
export const FleetHostNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, "lowercase letters, digits and '-', 1–40 characters, starting and ending with a letter or digit");

/** Isolab's base URL on that host, as a browser and Prometheus reach it: http(s), no query, no credentials. */
export const FleetHostUrlSchema = z
  .string()
  .max(512)
  .url("not a URL; give the host's Isolab base URL, e.g. http://10.0.0.5:3000")
  .refine((u) => /^https?:$/.test(new URL(u).protocol), "only http and https")
  .refine((u) => {
    const p = new URL(u);
    return !p.username && !p.password && !p.search && !p.hash;
  }, "no user, password, query or fragment: the token goes in `token`")
  .transform((u) => u.replace(/\/+$/, ""));

/** A bearer token: printable ASCII without spaces (it ends up in a file Prometheus reads and an HTTP header). */
export const FleetTokenSchema = z
  .string()
  .min(8, "a token has at least 8 characters")
  .max(512)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

export const FleetHostInputSchema = z.strictObject({
  name: FleetHostNameSchema,
  url: FleetHostUrlSchema,
  token: FleetTokenSchema.optional(),
});
export type FleetHostInput = z.infer<typeof FleetHostInputSchema>;

/** `{}` starts Isolab's own Prometheus on 127.0.0.1; `{ url }` uses an existing one. */
export const PrometheusStartSchema = z.strictObject({
  url: z
    .string()
    .max(512)
    .url("not a URL; give Prometheus's base URL, e.g. http://prometheus:9090")
    .refine((u) => /^https?:$/.test(new URL(u).protocol), "only http and https")
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
});

export interface FleetHost {
  name: string;
  url: string;
  /** Whether a token is stored (never the token itself). */
  hasToken: boolean;
  /** The host Isolab itself runs on: always a target, scraped with the admin token. */
  local: boolean;
}

export interface PrometheusStatus {
  mode: "managed" | "external" | "stopped";
  url: string | null;
  reachable: boolean;
  pid: number | null;
  configPath: string | null;
  dataDir: string | null;
  startedAt: string | null;
  note: string;
}

/** A figure with its source query, or why there is none. */
export type Reading = { value: number } | { error: string };

export interface FleetHostView {
  name: string;
  /** Isolab on that host, for the link; null when Prometheus knows a host Isolab was not told about. */
  url: string | null;
  /** up: Prometheus's last scrape worked; down: it failed (why in `problems`); unknown: no answer from Prometheus. */
  state: "up" | "down" | "unknown";
  /** When its metrics last arrived (ms since epoch), from the up series; null when never within the hour. */
  lastSeenMs: number | null;
  /** The scrape error Prometheus's targets API reports (wrong token: 401; no answer: connection refused …). */
  scrapeError: string | null;
  accelerator: string | null;
  hostname: string | null;
  instances: Record<string, Reading>;
  memory: { totalBytes: Reading; availableBytes: Reading; reserveBytes: Reading };
  /** Mean VM host memory over mean container host memory (running instances). */
  vmToContainerMemory: Reading;
  /** Quantiles of isolab_startup_seconds per kind, seconds. */
  startup: Record<string, { p50: Reading; p95: Reading; count: Reading }>;
  /** The sampler's CPU, in cores (rate of isolab_sampler_seconds_total over 1 min). */
  samplerCores: Reading;
  /** MemAvailable over the last 15 minutes (query_range), [ms, bytes]. */
  availableHistory: [number, number][];
  problems: string[];
}

export interface FleetOverview {
  prometheus: PrometheusStatus;
  hosts: FleetHostView[];
  /** Problems that are not one host's: Prometheus down, a query refused. */
  problems: string[];
  /** The instant every figure was evaluated at (each query is asked for this time). */
  queriedAt: string;
  /** The shortest scrape interval among Isolab's targets (Prometheus's targets API), seconds; the page refetches at it. */
  scrapeIntervalS: number | null;
}

// Prometheus's HTTP API v1 (https://prometheus.io/docs/prometheus/latest/querying/api/).

const PromValue = z.tuple([z.number(), z.string()]);
export const PromVectorSchema = z.array(z.looseObject({ metric: z.record(z.string(), z.string()), value: PromValue }));
export const PromMatrixSchema = z.array(z.looseObject({ metric: z.record(z.string(), z.string()), values: z.array(PromValue) }));

export const PromResponseSchema = z.looseObject({
  status: z.enum(["success", "error"]),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

export const PromQueryDataSchema = z.looseObject({ resultType: z.string(), result: z.unknown() });

export const PromTargetsDataSchema = z.looseObject({
  activeTargets: z.array(
    z.looseObject({
      labels: z.record(z.string(), z.string()),
      scrapePool: z.string().optional(),
      scrapeUrl: z.string().optional(),
      health: z.enum(["up", "down", "unknown"]),
      lastError: z.string(),
      lastScrape: z.string(),
      /** A Prometheus duration ("1s", "1m30s"); older Prometheus versions leave it out. */
      scrapeInterval: z.string().optional(),
    }),
  ),
});
export type PromTarget = z.infer<typeof PromTargetsDataSchema>["activeTargets"][number];

// Experiments across hosts: one startup or density plan, run by each host's own Isolab.

export const FleetRunIdSchema = z.string().regex(/^f[0-9a-f]{10}$/, "not a fleet run id");

export const FleetRunInputSchema = z.strictObject({
  hosts: z
    .array(FleetHostNameSchema)
    .min(1, "name at least one host")
    .max(16)
    .refine((h) => new Set(h).size === h.length, "a host is named twice"),
  plan: ExperimentPlanSchema.refine((p) => p.type === "startup" || p.type === "density", "across hosts: a startup or density plan"),
});
export type FleetRunInput = z.infer<typeof FleetRunInputSchema>;

/** What another Isolab answers for GET /api/experiments/:id, as far as the comparison reads it. */
export const RemoteExperimentSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  status: z.string(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  progress: z.unknown().nullable().optional(),
  environment: z.unknown().nullable().optional(),
});
export type RemoteExperiment = z.infer<typeof RemoteExperimentSchema>;

export interface FleetRunHost {
  name: string;
  url: string;
  /** The experiment's id on that host; null when submitting failed (why in `problem`). */
  experimentId: string | null;
  record: RemoteExperiment | null;
  problem: string | null;
}

export interface FleetRun {
  id: string;
  plan: unknown;
  createdAt: string;
  finishedAt: string | null;
  hosts: FleetRunHost[];
}
