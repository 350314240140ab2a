import type { SkippedKind } from "@/lib/experiments/types";
import { KIND_LABELS } from "./labels";

/** Kinds that could not run, with the reason: never shown as zero. */
export function SkippedKinds({ skipped }: { skipped: SkippedKind[] }) {
  if (skipped.length === 0) return null;
  return (
    <ul className="xp-skipped" aria-label="Skipped kinds">
      {skipped.map((s) => (
        <li key={s.kind}>
          <strong>{KIND_LABELS[s.kind]} skipped:</strong> <span className="error">{s.reason}</span>
        </li>
      ))}
    </ul>
  );
}
