/** Downloads of one run: raw samples as CSV, the whole record as JSON. */
export function ExportLinks({ id }: { id: string }) {
  const base = `/api/experiments/${encodeURIComponent(id)}`;
  return (
    <p className="row downloads" aria-label="Export">
      <a href={`${base}?format=csv`} download>
        Download CSV
      </a>
      <a href={`${base}?format=json`} download>
        Download JSON
      </a>
      <span className="small muted">CSV: one row per raw sample, units in the column names · JSON: the record the API answers</span>
    </p>
  );
}
