"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useCancelExperiment, useExperiment, useExperimentEvents } from "@/client/use-experiments";
import { FINISHED_STATUSES } from "@/lib/experiments/types";
import { ProgressBar } from "./progress-bar";
import { StatusBadge } from "./status-badge";

/** While a run is queued or running: its progress and a cancel button; once it ends, the page re-renders with results. */
export function ExperimentLive({ id }: { id: string }) {
  const router = useRouter();
  const { data, error } = useExperiment(id);
  const cancel = useCancelExperiment();
  useExperimentEvents();
  const finished = data ? FINISHED_STATUSES.includes(data.status) : false;

  useEffect(() => {
    if (finished) router.refresh();
  }, [finished, router]);

  if (error)
    return (
      <div className="error" role="alert">
        Progress unavailable: {error.message}
      </div>
    );
  if (!data)
    return (
      <div aria-busy="true" className="muted">
        Loading progress…
      </div>
    );
  return (
    <div className="stack" aria-live="polite">
      <div className="row">
        <StatusBadge status={data.status} />
        {!finished && (
          <button className="danger" onClick={() => cancel.mutate(id)} disabled={cancel.isPending}>
            {cancel.isPending ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
      {data.status === "queued" && <span className="muted small">Waiting in the queue: one experiment runs at a time.</span>}
      {data.status === "running" && <ProgressBar progress={data.progress} label={`Progress of ${id}`} />}
      {cancel.error && (
        <div className="error small" role="alert">
          {cancel.error.message}
        </div>
      )}
    </div>
  );
}
