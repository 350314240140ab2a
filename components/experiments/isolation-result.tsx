import { formatBytes } from "@/lib/core/format";
import { isolationSeries } from "@/lib/experiments/isolation/series";
import { swapLine } from "@/lib/experiments/isolation/text";
import {
  HOG_LABELS,
  PHASE_IDS,
  PHASE_LABELS,
  type HogOutcome,
  type IsolationResult,
  type NeighbourLatency,
  type PhaseId,
  type VerdictOutcome,
} from "@/lib/experiments/isolation/types";
import { formatLatencyUs } from "@/lib/experiments/isolation/verdicts";
import type { ExperimentSample } from "@/lib/experiments/types";
import { AccelBadge } from "./accel-badge";
import { IsolationCharts } from "./isolation-charts";
import { KindName } from "./kind-name";
import { ResultTable, type ResultColumn } from "@/components/ui/result-table";
import { SkippedKinds } from "./skipped-kinds";
import "./density-isolation.css";

// An isolation run: verdicts first (what happened, in words), the charts on
// one time axis, then the numbers behind them. Series are computed here, on
// the server, so the browser gets a few hundred points.

const OUTCOME_WORDS: Record<VerdictOutcome, string> = { contained: "contained", "not-contained": "not contained", skipped: "not run", unclear: "unclear" };
const KILLED_BY = { cgroup: "its cgroup's OOM killer", "guest-kernel": "the guest's own kernel", "isolab-guard": "Isolab's guard" } as const;
const b = (x: number | null) => (x === null ? "—" : formatBytes(x));

function limitCell(h: HogOutcome) {
  if (h.limitBytes !== null) return `${b(h.limitBytes)} (${h.kind === "vm" ? "guest memory" : "cgroup limit"})`;
  return `none — Isolab's cap ${b(h.capBytes)}${h.capBound && h.capBound !== "requested" ? ` (${h.capBound})` : ""}`;
}

const HOG_COLUMNS: ResultColumn<HogOutcome>[] = [
  {
    header: "Hog",
    rowHeader: true,
    cell: (h) => (
      <>
        {HOG_LABELS[h.hog]} {h.kind === "vm" && <AccelBadge accel={h.accel} />}
      </>
    ),
  },
  { header: "Limit", cell: limitCell },
  { header: "Asked for", numeric: true, cell: (h) => `${h.askedMiB} MiB` },
  { header: "Touched", numeric: true, cell: (h) => (h.touchedMiB === null ? "—" : `${h.touchedMiB} MiB`) },
  {
    header: "Ended by",
    cell: (h) =>
      h.error ? (
        <span className="error">{h.error}</span>
      ) : h.killedBy ? (
        KILLED_BY[h.killedBy]
      ) : h.exitCode === 0 ? (
        "nobody: it finished"
      ) : (
        `exit code ${h.exitCode ?? "?"}`
      ),
  },
  {
    header: "OOM kills",
    numeric: true,
    cell: (h) => (h.kind === "container" ? (h.oomKills ?? "—") : `${h.guestOomKills ?? "—"} (guest console)`),
    cellProps: (h) => ({ "data-testid": `oom-kills-${h.hog}` }),
  },
  {
    header: "Host peak",
    numeric: true,
    cell: (h) => (
      <>
        {b(h.hostPeakBytes)}
        {h.guestRamPeakBytes !== null && h.qemuOwnPeakBytes !== null && (
          <div className="small muted">
            {b(h.guestRamPeakBytes)} guest RAM + {b(h.qemuOwnPeakBytes)} QEMU
          </div>
        )}
      </>
    ),
  },
  { header: "Host available, lowest", numeric: true, cell: (h) => b(h.availableMinBytes) },
];

function neighbourColumns(phases: readonly PhaseId[]): ResultColumn<NeighbourLatency>[] {
  return [
    { header: "Neighbour", rowHeader: true, cell: (n) => <KindName kind={n.kind} accel={n.accel} /> },
    ...phases.map((p): ResultColumn<NeighbourLatency> => ({
      header: PHASE_LABELS[p],
      numeric: true,
      cell: (n) => {
        const s = n.perPhase[p];
        return s ? `${formatLatencyUs(s.p99Us)} (${formatLatencyUs(s.p50Us)})` : "—";
      },
    })),
  ];
}

export function IsolationResultView({ result, samples, charts = true }: { result: IsolationResult; samples: ExperimentSample[]; charts?: boolean }) {
  const phases = PHASE_IDS.filter((p) => result.phases.some((x) => x.id === p));
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <p className="small" data-testid="swap-status" style={{ margin: 0 }}>
        <strong>Host:</strong> {swapLine(result)}.{" "}
        {result.host.reserveBytes !== null && (
          <>
            Isolab keeps {b(result.host.reserveBytes)} of {b(result.host.totalBytes)} free (the larger of 20 % and 2 GiB).
          </>
        )}
      </p>
      <ul className="iso-verdicts" aria-label="Verdicts">
        {result.verdicts.map((v) => (
          <li key={v.hog} data-hog={v.hog} data-outcome={v.outcome} data-testid={`verdict-${v.hog}`}>
            <span className={`badge iso-${v.outcome}`}>{OUTCOME_WORDS[v.outcome]}</span> {v.text}
          </li>
        ))}
      </ul>
      {charts && <IsolationCharts series={isolationSeries(samples, result)} />}
      <ResultTable label="Hogs" columns={HOG_COLUMNS} rows={result.hogs} rowKey={(h) => h.hog} rowProps={(h) => ({ "data-testid": `hog-${h.hog}` })} />
      {result.neighbours.length > 0 && (
        <ResultTable
          label="Neighbours' latency per phase"
          caption="How much later than asked each sleep in a neighbour woke up (oversleep): p99 (p50), per phase"
          columns={neighbourColumns(phases)}
          rows={result.neighbours}
          rowKey={(n) => n.kind}
          rowProps={(n) => ({ "data-testid": `latency-${n.kind}` })}
        />
      )}
    </div>
  );
}
