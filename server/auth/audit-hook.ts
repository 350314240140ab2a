import "server-only";

// The audit log is built by its own service (app.audit, when present); the
// sign-in routes record their refusals through this one optional call so
// that they work with or without it.

export interface AuditEntry {
  at: number;
  actor: string;
  role: string;
  action: string;
  target: string;
  from: string;
  result: number;
  durationMs: number;
  detail?: string;
}

export function recordAudit(app: object, entry: AuditEntry): void {
  const audit = (app as { audit?: { record(e: AuditEntry): unknown } }).audit;
  try {
    audit?.record(entry);
  } catch (err) {
    console.error(`[isolab] audit: ${(err as Error).message}`);
  }
}
