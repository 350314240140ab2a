import type { ExperimentSample } from "@/lib/experiments/types";

// CSV export of raw samples: one row per sample, a header naming every
// column, value columns carrying their unit in the name (total_ms, ...).
// RFC 4180 quoting, so an error message with a comma survives the trip.

export const FIXED_COLUMNS = ["experiment_id", "seq", "kind", "sample", "rep", "warmup", "accel", "taken_at", "error"] as const;

function valueColumns(samples: readonly ExperimentSample[]): string[] {
  const seen: string[] = [];
  for (const s of samples) for (const k of Object.keys(s.values)) if (!seen.includes(k)) seen.push(k);
  return seen;
}

/** One RFC 4180 cell: quoted when it holds a comma, a quote or a line break; a non-finite number is empty. */
export function csvCell(v: string | number | boolean | undefined): string {
  if (v === undefined) return "";
  const text = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function samplesToCsv(experimentId: string, samples: readonly ExperimentSample[]): string {
  const values = valueColumns(samples);
  const lines = [[...FIXED_COLUMNS, ...values].join(",")];
  for (const s of samples) {
    const fixed = [experimentId, s.seq, s.kind, s.sample, s.rep, s.warmup ? 1 : 0, s.accel, s.takenAt, s.error];
    lines.push([...fixed, ...values.map((k) => s.values[k])].map(csvCell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

/** Parses RFC 4180 text into rows of cells (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) rows.push([...row, field]);
  return rows;
}

/** CSV text back to header-keyed records, for tests and scripts that check an export. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}
