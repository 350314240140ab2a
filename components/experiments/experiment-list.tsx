"use client";
import Link from "next/link";
import { useState } from "react";
import { useCan } from "@/client/use-me";
import { useCancelExperiment, useExperimentEvents, useExperiments } from "@/client/use-experiments";
import { experimentHeadline, planShort } from "@/lib/experiments/registry";
import { FINISHED_STATUSES, type ExperimentListItem } from "@/lib/experiments/types";
import { ProgressBar } from "./progress-bar";
import { StatusBadge } from "./status-badge";
import { ResultTable } from "@/components/ui/result-table";

function planLine(item: ExperimentListItem): string {
  const p = item.plan as { kinds?: string[]; neighbours?: string[] };
  const count = planShort(item.type, item.plan as Record<string, unknown>);
  return `${count} · ${(p.kinds ?? p.neighbours ?? []).join(", ")}`;
}

/** Past and current runs: progress, cancel, and a pick of two to compare. */
export function ExperimentList() {
  const { data, error, isLoading } = useExperiments();
  const cancel = useCancelExperiment();
  const canOperate = useCan("operator");
  const [picked, setPicked] = useState<string[]>([]);
  useExperimentEvents();

  if (isLoading)
    return (
      <section className="panel" aria-busy="true">
        Loading experiments…
      </section>
    );
  if (error || !data)
    return (
      <section className="panel error" role="alert">
        Experiments unavailable: {error?.message}
      </section>
    );

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
        <ResultTable
          rows={data}
          rowKey={(x) => x.id}
          rowProps={(x) => ({ "aria-label": `experiment ${x.id}` })}
          columns={[
            {
              header: "Compare",
              cell: (x) => (
                <input
                  type="checkbox"
                  aria-label={`Compare ${x.id}`}
                  checked={picked.includes(x.id)}
                  disabled={!picked.includes(x.id) && picked.length >= 2}
                  onChange={(e) => setPicked(e.target.checked ? [...picked, x.id] : picked.filter((p) => p !== x.id))}
                />
              ),
            },
            { header: "Run", className: "mono", cell: (x) => <Link href={`/experiments/${x.id}`}>{x.id}</Link> },
            { header: "Type", cell: (x) => x.type },
            { header: "Plan", className: "small", cell: planLine },
            { header: "Status", cell: (x) => <StatusBadge status={x.status} /> },
            {
              header: "Result",
              className: "small",
              cellProps: () => ({ style: { minWidth: "16rem" } }),
              cell: (x) =>
                !FINISHED_STATUSES.includes(x.status) ? (
                  <div className="row">
                    <div style={{ flex: 1 }}>
                      {x.status === "queued" ? (
                        <span className="muted">waiting for the experiment before it to finish</span>
                      ) : (
                        <ProgressBar progress={x.progress} label={`Progress of ${x.id}`} />
                      )}
                    </div>
                    {canOperate && (
                      <button className="danger" onClick={() => cancel.mutate(x.id)} disabled={cancel.isPending && cancel.variables === x.id}>
                        Cancel
                      </button>
                    )}
                  </div>
                ) : (
                  <>
                    {experimentHeadline(x.result)}
                    {x.error && <div className="error">{x.error}</div>}
                  </>
                ),
            },
            { header: "Created", className: "small muted", cell: (x) => new Date(x.createdAt).toLocaleString() },
          ]}
        />
      )}
      {cancel.error && (
        <div className="error small" role="alert">
          {cancel.error.message}
        </div>
      )}
    </section>
  );
}
