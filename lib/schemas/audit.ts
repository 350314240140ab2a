import { z } from "zod";

// The audit log's rows and the query string of GET /api/audit (and the
// /audit page's filters), shared by the route, the store and the UI.

/** One state-changing action or refusal, as recorded when its answer finished. */
export interface AuditEntry {
  /** Row id, increasing with insertion; the cursor pages by it. */
  id: number;
  /** When the request arrived, ms since the epoch. */
  at: number;
  /** The principal's name, "anonymous" when none was established. */
  actor: string;
  role: string | null;
  /** "POST /api/instances", "DELETE /api/instances/[id]", or a name a route gave it ("sign-in", "terminal"). */
  action: string;
  /** What the action was on (an instance id, an image reference), null when the path names nothing. */
  target: string | null;
  /** The peer's address as the socket saw it (no forwarded header is trusted). */
  from: string;
  /** The HTTP status answered (101 for an accepted upgrade, 499 when the client left before the answer). */
  result: number;
  /** Arrival to the end of the answer, ms. */
  durationMs: number;
  detail: string | null;
}

export type AuditEntryInput = Omit<AuditEntry, "id" | "detail"> & { detail?: string | null };

export const RESULT_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;
export type ResultClass = (typeof RESULT_CLASSES)[number];

export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_CSV_DEFAULT = 5000;
export const AUDIT_LIMIT_MAX = 5000;

const instant = (name: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: "custom", message: `${name} must be an ISO date (2026-01-31T12:00:00Z) or milliseconds since the epoch` });
        return z.NEVER;
      }
      return ms;
    });

const optionalText = (max: number, name: string) =>
  z
    .string()
    .trim()
    .max(max, { message: `${name} is at most ${max} characters` })
    .optional()
    .transform((v) => (v === "" ? undefined : v));

export const AuditQuerySchema = z.object({
  actor: optionalText(128, "actor"),
  /** Part of the action: "instances" finds every instance action. */
  action: optionalText(256, "action"),
  /** A class (2xx…5xx) or one status code. */
  result: z
    .union([z.enum(RESULT_CLASSES), z.coerce.number().int().min(100).max(599)], { message: "result must be 2xx, 3xx, 4xx, 5xx or a status code (100–599)" })
    .optional(),
  since: instant("since").optional(),
  until: instant("until").optional(),
  limit: z.coerce
    .number({ message: "limit must be a number" })
    .int()
    .min(1)
    .max(AUDIT_LIMIT_MAX, { message: `limit is at most ${AUDIT_LIMIT_MAX}` })
    .optional(),
  /** The nextCursor of the previous page: rows older than it. */
  cursor: z.coerce.number({ message: "cursor must be the nextCursor of an earlier page" }).int().positive().optional(),
  format: z.enum(["json", "csv"], { message: "format must be json or csv" }).default("json"),
});

export type AuditQuery = z.output<typeof AuditQuerySchema>;
/** What the store filters by: the query without its presentation. */
export type AuditFilters = Partial<Omit<AuditQuery, "format">>;

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as ?cursor= for the next (older) page; null on the last. */
  nextCursor: number | null;
}

/** Reads the filters from a URL's query; empty values count as absent. */
export function parseAuditQuery(url: string, format?: "csv"): AuditQuery {
  const q = new URL(url).searchParams;
  const get = (k: string) => q.get(k) ?? undefined;
  return AuditQuerySchema.parse({
    actor: get("actor"),
    action: get("action"),
    result: get("result") || undefined,
    since: get("since") || undefined,
    until: get("until") || undefined,
    limit: get("limit") || undefined,
    cursor: get("cursor") || undefined,
    format: format ?? get("format"),
  });
}

/** The same filters as a query string (the page's CSV link, the next page). */
export function auditQueryString(filters: Partial<Record<keyof AuditQuery, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
