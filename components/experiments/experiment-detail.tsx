import Link from "next/link";
import { FINISHED_STATUSES, type ExperimentRecord } from "@/lib/experiments/types";
import { experimentTitle, planLine } from "@/lib/experiments/registry";
import { formatMs } from "@/lib/core/format";
import { EnvironmentFacts } from "./environment-facts";
import { ExperimentLive } from "./experiment-live";
import { ExportLinks } from "./export-links";
import { DensityResultView } from "./density-result";
import { HostileResultView } from "./hostile-result";
import { IsolationResultView } from "./isolation-result";
import { KsmResultView } from "./ksm-result";
import { OverheadResultView } from "./overhead-result";
import { StartupResultView } from "./startup-result";
import { StatusBadge } from "./status-badge";

export function planSummary(r: ExperimentRecord): string {
  const p = r.plan as Record<string, unknown>;
  const kinds = ((p.kinds ?? p.neighbours ?? p.targets) as string[] | undefined)?.join(", ");
  const head = planLine(r.type, p);
  return `${head}${kinds ? ` · ${kinds}` : ""} · image ${p.image} · ${p.memoryMiB} MiB · ${p.cpus} CPU${p.cpus === 1 ? "" : "s"}`;
}

/** One run: status (live while unfinished), plan, results, environment, exports. */
export function ExperimentDetail({ record, compact = false }: { record: ExperimentRecord; compact?: boolean }) {
  const finished = FINISHED_STATUSES.includes(record.status);
  const duration = record.startedAt && record.finishedAt ? Date.parse(record.finishedAt) - Date.parse(record.startedAt) : undefined;
  return (
    <article className="stack" aria-labelledby={`xp-${record.id}`}>
      <section className="panel stack">
        <h2 id={`xp-${record.id}`} style={{ margin: 0 }}>
          {experimentTitle(record.type)} <span className="mono muted small">{record.id}</span>
        </h2>
        <p className="small" style={{ margin: 0 }}>
          {planSummary(record)}
        </p>
        {finished ? (
          <div className="row small">
            <StatusBadge status={record.status} />
            <span className="muted">
              {record.finishedAt ? `finished ${new Date(record.finishedAt).toLocaleString()}` : ""}
              {duration !== undefined ? ` · took ${formatMs(duration)}` : ""} · {record.samples.length} raw samples
            </span>
          </div>
        ) : (
          <ExperimentLive id={record.id} />
        )}
        {record.error && (
          <p className="error small" role="alert" style={{ margin: 0 }}>
            {record.error}
          </p>
        )}
        <ExportLinks id={record.id} />
      </section>
      <section className="panel stack" aria-label="Results">
        {record.result === null ? (
          <p className="muted">{finished ? "No results were recorded." : "Results appear here when the run ends."}</p>
        ) : record.result.type === "startup" ? (
          <StartupResultView result={record.result} samples={record.samples} charts={!compact} />
        ) : record.result.type === "overhead" ? (
          <OverheadResultView result={record.result} />
        ) : record.result.type === "isolation" ? (
          <IsolationResultView result={record.result} samples={record.samples} charts={!compact} />
        ) : record.result.type === "density" ? (
          <DensityResultView result={record.result} id={record.id} charts={!compact} />
        ) : record.result.type === "hostile" ? (
          <HostileResultView result={record.result} />
        ) : record.result.type === "ksm" ? (
          <KsmResultView result={record.result} charts={!compact} />
        ) : (
          <p className="muted">This page has no view for {record.type} results yet; the exports hold every sample.</p>
        )}
      </section>
      <section className="panel">
        <h3 style={{ marginTop: 0 }}>Environment</h3>
        <EnvironmentFacts env={record.environment} />
      </section>
      {!compact && (
        <p>
          <Link href="/experiments">← All experiments</Link>
        </p>
      )}
    </article>
  );
}
