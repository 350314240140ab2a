import "server-only";
import { NextResponse } from "next/server";
import { auditToCsv } from "@/lib/audit/csv";
import { AUDIT_CSV_DEFAULT, type AuditQuery } from "@/lib/schemas/audit";
import type { App } from "@/server/app";

/** One page of the audit log as JSON, or as a CSV download (5000 rows unless `limit` says otherwise; page on with `cursor`). */
export function auditResponse(app: App, { format, ...filters }: AuditQuery): Response {
  if (format === "json") return NextResponse.json(app.audit.query(filters));
  const page = app.audit.query({ ...filters, limit: filters.limit ?? AUDIT_CSV_DEFAULT });
  const headers: Record<string, string> = { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="isolab-audit.csv"` };
  // A longer log continues on the next request: the cursor travels in a header, the CSV stays plain rows.
  if (page.nextCursor !== null) headers["x-next-cursor"] = String(page.nextCursor);
  return new Response(auditToCsv(page.entries), { headers });
}
