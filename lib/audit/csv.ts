import { csvCell } from "@/lib/experiments/csv";
import type { AuditEntry } from "@/lib/schemas/audit";

// The audit log as CSV (RFC 4180 quoting, the experiments' cells): one row
// per entry, times as ISO text and as ms, so a spreadsheet sorts either way.

export const AUDIT_CSV_COLUMNS = ["id", "at", "at_ms", "actor", "role", "action", "target", "from", "result", "duration_ms", "detail"] as const;

/**
 * Text a spreadsheet would run as a formula (=, +, -, @, a tab or CR first)
 * gets a leading apostrophe: actors, targets and details come from requests.
 */
export function inertText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function auditToCsv(entries: readonly AuditEntry[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(",")];
  for (const e of entries) {
    const text = [e.actor, e.role ?? "", e.action, e.target ?? "", e.from].map(inertText);
    const row = [e.id, new Date(e.at).toISOString(), e.at, ...text, e.result, e.durationMs, inertText(e.detail ?? "")];
    lines.push(row.map(csvCell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
