import "server-only";
import { z } from "zod";
import { parseReloadState, type ReloadState } from "@/lib/fleet/prometheus-self";
import { PromMatrixSchema, PromQueryDataSchema, PromResponseSchema, PromTargetsDataSchema, PromVectorSchema, type PromTarget } from "@/lib/schemas/fleet";

// The few calls Isolab makes to Prometheus's HTTP API v1: instant queries,
// range queries and the active targets, and to its own /metrics (whether
// a config reload was applied). Every call has a deadline (also
// passed to Prometheus as `timeout`, so it stops evaluating too) and reads
// at most MAX_RESPONSE_BYTES: a fleet page must never wait on, or buffer,
// whatever a misbehaving Prometheus sends. Failures are PromError with a
// sentence the page shows as is.

export const QUERY_TIMEOUT_MS = 4000;
export const MAX_RESPONSE_BYTES = 4 * 2 ** 20;

export class PromError extends Error {}

export async function boundedText(res: Response, limit: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new PromError(`the answer passed ${limit / 2 ** 20} MiB and was abandoned`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

export interface PromCallOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

async function call(base: string, pathname: string, params: Record<string, string>, opts: PromCallOptions = {}): Promise<unknown> {
  const timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS;
  const url = new URL(`${base}${pathname}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
    text = await boundedText(res, opts.maxBytes ?? MAX_RESPONSE_BYTES);
  } catch (err) {
    if (err instanceof PromError) throw err;
    const name = (err as Error).name;
    if (name === "TimeoutError" || name === "AbortError") throw new PromError(`Prometheus at ${base} did not answer within ${timeoutMs / 1000} s`);
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new PromError(`Prometheus at ${base} does not answer (${c?.code ?? c?.message ?? name})`);
  }
  let body: z.infer<typeof PromResponseSchema>;
  try {
    body = PromResponseSchema.parse(JSON.parse(text));
  } catch {
    throw new PromError(`Prometheus at ${base} answered ${res.status} with something that is not its API's JSON: ${text.slice(0, 160)}`);
  }
  if (body.status === "error") throw new PromError(`Prometheus refused ${pathname}: ${body.errorType ?? "error"}: ${body.error ?? "(no message)"}`);
  return body.data;
}

export type PromVector = z.infer<typeof PromVectorSchema>;
export type PromMatrix = z.infer<typeof PromMatrixSchema>;

function result<T>(data: unknown, schema: z.ZodType<T>, type: string, query: string): T {
  const d = PromQueryDataSchema.safeParse(data);
  if (!d.success || d.data.resultType !== type) throw new PromError(`"${query}" did not give a ${type}`);
  const r = schema.safeParse(d.data.result);
  if (!r.success) throw new PromError(`"${query}" gave a ${type} Isolab cannot read`);
  return r.data;
}

export interface InstantQueryOptions extends PromCallOptions {
  /** Evaluate at this time, seconds since the epoch; default: Prometheus's now. */
  atS?: number;
}

export async function instantQuery(base: string, query: string, opts: InstantQueryOptions = {}): Promise<PromVector> {
  const timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS;
  const params = { query, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s`, ...(opts.atS === undefined ? {} : { time: String(opts.atS) }) };
  const data = await call(base, "/api/v1/query", params, opts);
  return result(data, PromVectorSchema, "vector", query);
}

export async function rangeQuery(
  base: string,
  query: string,
  range: { startS: number; endS: number; stepS: number },
  opts: PromCallOptions = {},
): Promise<PromMatrix> {
  const timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS;
  const data = await call(
    base,
    "/api/v1/query_range",
    { query, start: String(range.startS), end: String(range.endS), step: String(range.stepS), timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` },
    opts,
  );
  return result(data, PromMatrixSchema, "matrix", query);
}

export async function activeTargets(base: string, opts: PromCallOptions = {}): Promise<PromTarget[]> {
  const data = await call(base, "/api/v1/targets", { state: "active" }, opts);
  const r = PromTargetsDataSchema.safeParse(data);
  if (!r.success) throw new PromError("the targets API gave something Isolab cannot read");
  return r.data.activeTargets;
}

/** Whether Prometheus's last config reload worked and when one last did, from its own /metrics. */
export async function reloadState(base: string, opts: PromCallOptions = {}): Promise<ReloadState> {
  const timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS;
  let text: string;
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
    text = await boundedText(res, opts.maxBytes ?? MAX_RESPONSE_BYTES);
    if (!res.ok) throw new PromError(`GET ${base}/metrics answered ${res.status}`);
  } catch (err) {
    if (err instanceof PromError) throw err;
    throw new PromError(`Prometheus at ${base} did not give its own metrics (${(err as Error).name})`);
  }
  const state = parseReloadState(text);
  if (!state) throw new PromError(`Prometheus at ${base} does not say whether its config reloaded (no prometheus_config_last_reload_* gauges)`);
  return state;
}

/** null when /-/ready answers 200, else why not. */
export async function pingPrometheus(base: string, timeoutMs = 2000): Promise<string | null> {
  try {
    const res = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
    await res.body?.cancel();
    return res.ok ? null : `GET /-/ready answered ${res.status}`;
  } catch (err) {
    const c = (err as { cause?: { code?: string } }).cause;
    return `Prometheus at ${base} does not answer (${c?.code ?? (err as Error).name})`;
  }
}
