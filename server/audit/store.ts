import "server-only";
import { AUDIT_PAGE_DEFAULT, type AuditEntry, type AuditEntryInput, type AuditFilters, type AuditPage } from "@/lib/schemas/audit";
import type { Db } from "@/server/store/db";

// The audit log in the app's SQLite (table audit_log, migration 3): one row
// per state-changing request or refusal, written when its answer finished.
// Retention: rows older than 90 days and all but the newest 200 000 are
// deleted when the log opens and every 500 records after, so the table
// stays bounded (≈200 bytes a row: at most ~40 MB) whatever the traffic.

export const AUDIT_MAX_AGE_MS = 90 * 24 * 3600 * 1000;
export const AUDIT_MAX_ROWS = 200_000;
const PRUNE_EVERY = 500;

/** Longest kept text per field; longer values are cut with an ellipsis. */
const FIELD_CHARS = { actor: 128, role: 32, action: 256, target: 256, from: 64, detail: 512 } as const;

export interface AuditLogOptions {
  maxAgeMs?: number;
  maxRows?: number;
  now?: () => number;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  from_addr: string;
  result: number;
  duration_ms: number;
  detail: string | null;
}

function cut(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  // Control characters would let a value forge a line in a terminal or a log viewer.
  const clean = String(text).replace(/[\u0000-\u001f\u007f]/g, " ");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    from: r.from_addr,
    result: r.result,
    durationMs: r.duration_ms,
    detail: r.detail,
  };
}

export interface AuditLog {
  /** Writes one row; answers its id, or null once the database is closed (a request finishing during shutdown). */
  record(entry: AuditEntryInput): number | null;
  /** Newest first, `limit` rows (100 by default) older than `cursor`. */
  query(filters?: AuditFilters): AuditPage;
  /** Deletes what retention no longer keeps; answers how many rows went. */
  prune(): number;
}

export function createAuditLog(db: Db, options: AuditLogOptions = {}): AuditLog {
  const maxAgeMs = options.maxAgeMs ?? AUDIT_MAX_AGE_MS;
  const maxRows = options.maxRows ?? AUDIT_MAX_ROWS;
  const now = options.now ?? Date.now;
  const insert = db.prepare(
    `INSERT INTO audit_log (at, actor, role, action, target, from_addr, result, duration_ms, detail)
     VALUES (@at, @actor, @role, @action, @target, @from, @result, @durationMs, @detail)`,
  );
  const pruneStatement = db.prepare(`DELETE FROM audit_log WHERE at < ? OR id <= (SELECT MAX(id) FROM audit_log) - ?`);
  let sincePrune = 0;

  function prune(): number {
    sincePrune = 0;
    return pruneStatement.run(now() - maxAgeMs, maxRows).changes;
  }

  function record(e: AuditEntryInput): number | null {
    if (!db.open) return null;
    const row = {
      at: Math.round(e.at),
      actor: cut(e.actor || "anonymous", FIELD_CHARS.actor),
      role: cut(e.role, FIELD_CHARS.role),
      action: cut(e.action, FIELD_CHARS.action),
      target: cut(e.target, FIELD_CHARS.target),
      from: cut(e.from || "unknown", FIELD_CHARS.from),
      result: Math.trunc(e.result),
      durationMs: Math.max(0, Math.round(e.durationMs * 1000) / 1000),
      detail: cut(e.detail, FIELD_CHARS.detail),
    };
    const id = Number(insert.run(row).lastInsertRowid);
    if (++sincePrune >= PRUNE_EVERY) prune();
    return id;
  }

  function query(f: AuditFilters = {}): AuditPage {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, ...values: (string | number)[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (f.actor !== undefined) add("actor = ?", f.actor);
    // instr, not LIKE: the filter is text, so % and _ in it match themselves.
    if (f.action !== undefined) add("instr(action, ?) > 0", f.action);
    if (typeof f.result === "number") add("result = ?", f.result);
    else if (f.result !== undefined) add("result >= ? AND result < ?", Number(f.result[0]) * 100, Number(f.result[0]) * 100 + 100);
    if (f.since !== undefined) add("at >= ?", f.since);
    if (f.until !== undefined) add("at <= ?", f.until);
    if (f.cursor !== undefined) add("id < ?", f.cursor);
    const limit = f.limit ?? AUDIT_PAGE_DEFAULT;
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    const rows = db.prepare(sql).all(...args, limit + 1) as AuditRow[];
    const more = rows.length > limit;
    const entries = rows.slice(0, limit).map(toEntry);
    return { entries, nextCursor: more ? entries[entries.length - 1].id : null };
  }

  prune();
  return { record, query, prune };
}
