import type { ExperimentStatus } from "@/lib/experiments/types";

export function StatusBadge({ status }: { status: ExperimentStatus }) {
  return (
    <span className={`badge xp-status-${status}`} data-testid="experiment-status">
      {status}
    </span>
  );
}
