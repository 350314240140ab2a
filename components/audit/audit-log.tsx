"use client";
import { useState } from "react";
import { useAudit } from "@/client/use-audit";
import { formatMs } from "@/lib/core/format";
import type { AuditEntry } from "@/lib/schemas/audit";
import { ResultTable, type ResultColumn } from "@/components/ui/result-table";
import { AuditFilters } from "./audit-filters";

const COLUMNS: readonly ResultColumn<AuditEntry>[] = [
  { header: "When", rowHeader: true, cell: (e) => <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleString()}</time> },
  { header: "Who", cell: (e) => (e.role ? `${e.actor} (${e.role})` : e.actor) },
  { header: "Action", className: "mono", cell: (e) => e.action },
  { header: "Target", className: "mono", cell: (e) => e.target ?? "—" },
  { header: "From", className: "mono", cell: (e) => e.from },
  {
    header: "Result",
    numeric: true,
    cell: (e) => e.result,
    cellProps: (e) => ({ className: e.result >= 400 ? "error" : undefined, title: e.detail ?? undefined }),
  },
  { header: "Took", numeric: true, cell: (e) => formatMs(e.durationMs) },
  { header: "Detail", className: "small", cell: (e) => e.detail ?? "" },
];

/** Every state-changing request and refusal the server recorded, newest first, with filters and a CSV download of the same rows. */
export function AuditLog() {
  const [query, setQuery] = useState("");
  const audit = useAudit(query);
  const entries = audit.data?.pages.flatMap((p) => p.entries) ?? [];

  return (
    <div className="stack">
      <AuditFilters onApply={setQuery} />
      <div className="row downloads small">
        <a href={`/api/audit.csv${query}`} download>
          Download CSV
        </a>
        <span className="muted">the rows these filters select, up to 5000 (newest first)</span>
      </div>
      {audit.isLoading && (
        <div className="panel" aria-busy="true">
          Loading the audit log…
        </div>
      )}
      {audit.error && (
        <div className="panel error" role="alert">
          The audit log could not be read: {audit.error.message}
        </div>
      )}
      {audit.data && entries.length === 0 && <div className="panel muted">No recorded action matches these filters.</div>}
      {entries.length > 0 && (
        <section className="panel" aria-label="Audit entries">
          <ResultTable
            label="Audit log"
            caption="Took: from the request's arrival at Isolab's listener to the end of its answer, measured by the server (ms)."
            columns={COLUMNS}
            rows={entries}
            rowKey={(e) => String(e.id)}
          />
          {audit.hasNextPage && (
            <button type="button" onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage} style={{ marginTop: "0.75rem" }}>
              {audit.isFetchingNextPage ? "Loading…" : "Older entries"}
            </button>
          )}
        </section>
      )}
    </div>
  );
}
