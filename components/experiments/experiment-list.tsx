"use client";
import Link from "next/link";
import { useState } from "react";
import { useCancelExperiment, useExperimentEvents, useExperiments } from "@/client/use-experiments";
import { experimentHeadline, planShort } from "@/lib/experiments/registry";
import { FINISHED_STATUSES, type ExperimentListItem } from "@/lib/experiments/types";
import { ProgressBar } from "./progress-bar";
import { StatusBadge } from "./status-badge";

function planLine(item: ExperimentListItem): string {
  const p = item.plan as { kinds?: string[]; neighbours?: string[] };
  const count = planShort(item.type, item.plan as Record<string, unknown>);
  return `${count} · ${(p.kinds ?? p.neighbours ?? []).join(", ")}`;
}

/** Past and current runs: progress, cancel, and a pick of two to compare. */
export function ExperimentList() {
  const { data, error, isLoading } = useExperiments();
  const cancel = useCancelExperiment();
  const [picked, setPicked] = useState<string[]>([]);
  useExperimentEvents();

  if (isLoading) return <section className="panel" aria-busy="true">Loading experiments…</section>;
  if (error || !data) return <section className="panel error" role="alert">Experiments unavailable: {error?.message}</section>;

  const compareHref = picked.length === 2 ? `/experiments/compare?a=${picked[0]}&b=${picked[1]}` : undefined;
  return (
    <section className="panel stack" aria-labelledby="xp-list-title">
      <div className="row">
        <h2 id="xp-list-title" style={{ margin: 0 }}>
          Experiments
        </h2>
        <span className="small muted">tick two to compare them side by side</span>
        {compareHref ? (
          <Link href={compareHref} className="xp-button">
            Compare selected
          </Link>
        ) : (
          <span className="small muted" aria-disabled="true">
            Compare selected ({picked.length}/2)
          </span>
        )}
      </div>
      {data.length === 0 ? (
        <p className="muted">No experiments yet. Plan one above; its results are stored and listed here.</p>
      ) : (
        <table className="xp-table">
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Run</th>
              <th scope="col">Type</th>
              <th scope="col">Plan</th>
              <th scope="col">Status</th>
              <th scope="col">Result</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {data.map((x) => {
              const running = !FINISHED_STATUSES.includes(x.status);
              return (
                <tr key={x.id} aria-label={`experiment ${x.id}`}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Compare ${x.id}`}
                      checked={picked.includes(x.id)}
                      disabled={!picked.includes(x.id) && picked.length >= 2}
                      onChange={(e) => setPicked(e.target.checked ? [...picked, x.id] : picked.filter((p) => p !== x.id))}
                    />
                  </td>
                  <td className="mono">
                    <Link href={`/experiments/${x.id}`}>{x.id}</Link>
                  </td>
                  <td>{x.type}</td>
                  <td className="small">{planLine(x)}</td>
                  <td>
                    <StatusBadge status={x.status} />
                  </td>
                  <td className="small" style={{ minWidth: "16rem" }}>
                    {running ? (
                      <div className="row">
                        <div style={{ flex: 1 }}>
                          {x.status === "queued" ? (
                            <span className="muted">waiting for the experiment before it to finish</span>
                          ) : (
                            <ProgressBar progress={x.progress} label={`Progress of ${x.id}`} />
                          )}
                        </div>
                        <button className="danger" onClick={() => cancel.mutate(x.id)} disabled={cancel.isPending && cancel.variables === x.id}>
                          Cancel
                        </button>
                      </div>
                    ) : (
                      <>
                        {experimentHeadline(x.result)}
                        {x.error && <div className="error">{x.error}</div>}
                      </>
                    )}
                  </td>
                  <td className="small muted">{new Date(x.createdAt).toLocaleString()}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {cancel.error && (
        <div className="error small" role="alert">
          {cancel.error.message}
        </div>
      )}
    </section>
  );
}
