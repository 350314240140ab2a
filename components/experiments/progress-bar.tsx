import type { ExperimentProgress } from "@/lib/experiments/types";

/** Progress of a run as a bar with its numbers as text. */
export function ProgressBar({ progress, label }: { progress: ExperimentProgress | null; label: string }) {
  const done = progress?.done ?? 0;
  const total = Math.max(progress?.total ?? 1, 1);
  const pct = Math.round((100 * done) / total);
  return (
    <div className="stack" style={{ gap: "0.2rem" }}>
      <div
        className="xp-progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={`${done} of ${total} steps (${pct} %)`}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <span className="small muted">
        {done}/{total} steps ({pct} %){progress?.message ? ` · ${progress.message}` : ""}
      </span>
    </div>
  );
}
