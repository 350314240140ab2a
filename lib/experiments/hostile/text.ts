import { table } from "@/lib/core/text-table";
import { TARGET_LABELS, type HostileResult } from "./types";

// The table as text (`npm run experiment`) and one headline line.

const cell = (c: { ok: boolean; errno?: string } | undefined) => (!c ? "—" : c.ok ? "SUCCEEDS" : `refused (${c.errno ?? "?"})`);

export function hostileText(r: HostileResult): string[] {
  const header = ["attempt", ...r.targets.map((t) => TARGET_LABELS[t])];
  const rows = r.rows.map((row) => [row.label, ...r.targets.map((t) => cell(row.cells[t]))]);
  return [table(header, rows), ...r.failed.map((f) => `${TARGET_LABELS[f.target]}: no answer (${f.error})`)];
}

export function hostileHeadline(r: HostileResult): string {
  return r.targets
    .map((t) => {
      const n = r.rows.filter((row) => row.cells[t]?.ok).length;
      return `${TARGET_LABELS[t]} ${n}/${r.rows.length} succeed`;
    })
    .join(" · ");
}
