// Side-by-side rows for `npm run bench`: Isolab vs the raw tool on the same input.
import { median, percentile } from "../../lib/core/stats";

export interface PairedTimings {
  label: string;
  isolabMs: number[];
  rawMs: number[];
  /** The raw tool, e.g. "runc run" or "qemu-system-x86_64 (defaults)". */
  rawLabel?: string;
  /** Ratio the issue sets as the goal, e.g. 1.15. */
  target?: number;
}

/** What each start benchmark returns: paired timings with the raw tool named and the goal set. */
export interface BenchTimings extends PairedTimings {
  rawLabel: string;
  target: number;
}

export function formatPairedRow(t: PairedTimings): string {
  const iso = median(t.isolabMs);
  const raw = median(t.rawMs);
  const ratio = iso / raw;
  const verdict = t.target === undefined ? "" : ratio <= t.target ? `  ✓ ≤ ${t.target}×` : `  ✗ target ≤ ${t.target}×`;
  return [
    t.label.padEnd(34),
    `isolab ${iso.toFixed(1).padStart(8)} ms (p95 ${percentile(t.isolabMs, 95).toFixed(1)})`,
    `${(t.rawLabel ?? "raw").padEnd(12)} ${raw.toFixed(1).padStart(8)} ms (p95 ${percentile(t.rawMs, 95).toFixed(1)})`,
    `ratio ${ratio.toFixed(2)}×${verdict}`,
    `n=${t.isolabMs.length}`,
  ].join("  ");
}
