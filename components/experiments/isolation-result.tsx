import { formatBytes } from "@/lib/core/format";
import { isolationSeries } from "@/lib/experiments/isolation/series";
import { swapLine } from "@/lib/experiments/isolation/text";
import { HOG_LABELS, PHASE_IDS, PHASE_LABELS, type HogOutcome, type IsolationResult, type VerdictOutcome } from "@/lib/experiments/isolation/types";
import { formatLatencyUs } from "@/lib/experiments/isolation/verdicts";
import type { ExperimentSample } from "@/lib/experiments/types";
import { AccelBadge } from "./accel-badge";
import { IsolationCharts } from "./isolation-charts";
import { KIND_LABELS } from "./labels";
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

export function IsolationResultView({ result, samples, charts = true }: { result: IsolationResult; samples: ExperimentSample[]; charts?: boolean }) {
  const phases = PHASE_IDS.filter((p) => result.phases.some((x) => x.id === p));
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <p className="small" data-testid="swap-status" style={{ margin: 0 }}>
        <strong>Host:</strong> {swapLine(result)}. {result.host.reserveBytes !== null && <>Isolab keeps {b(result.host.reserveBytes)} of {b(result.host.totalBytes)} free (the larger of 20 % and 2 GiB).</>}
      </p>
      <ul className="iso-verdicts" aria-label="Verdicts">
        {result.verdicts.map((v) => (
          <li key={v.hog} data-hog={v.hog} data-outcome={v.outcome} data-testid={`verdict-${v.hog}`}>
            <span className={`badge iso-${v.outcome}`}>{OUTCOME_WORDS[v.outcome]}</span> {v.text}
          </li>
        ))}
      </ul>
      {charts && <IsolationCharts series={isolationSeries(samples, result)} />}
      <table className="xp-table" aria-label="Hogs">
        <thead>
          <tr>
            <th scope="col">Hog</th>
            <th scope="col">Limit</th>
            <th scope="col">Asked for</th>
            <th scope="col">Touched</th>
            <th scope="col">Ended by</th>
            <th scope="col">OOM kills</th>
            <th scope="col">Host peak</th>
            <th scope="col">Host available, lowest</th>
          </tr>
        </thead>
        <tbody>
          {result.hogs.map((h) => (
            <tr key={h.hog} data-testid={`hog-${h.hog}`}>
              <th scope="row">
                {HOG_LABELS[h.hog]} {h.kind === "vm" && <AccelBadge accel={h.accel} />}
              </th>
              <td>{limitCell(h)}</td>
              <td>{h.askedMiB} MiB</td>
              <td>{h.touchedMiB === null ? "—" : `${h.touchedMiB} MiB`}</td>
              <td>{h.error ? <span className="error">{h.error}</span> : h.killedBy ? KILLED_BY[h.killedBy] : h.exitCode === 0 ? "nobody: it finished" : `exit code ${h.exitCode ?? "?"}`}</td>
              <td data-testid={`oom-kills-${h.hog}`}>{h.kind === "container" ? (h.oomKills ?? "—") : `${h.guestOomKills ?? "—"} (guest console)`}</td>
              <td>
                {b(h.hostPeakBytes)}
                {h.guestRamPeakBytes !== null && h.qemuOwnPeakBytes !== null && (
                  <div className="small muted">
                    {b(h.guestRamPeakBytes)} guest RAM + {b(h.qemuOwnPeakBytes)} QEMU
                  </div>
                )}
              </td>
              <td>{b(h.availableMinBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.neighbours.length > 0 && (
        <table className="xp-table" aria-label="Neighbours' latency per phase">
          <caption className="small muted" style={{ textAlign: "left" }}>
            How much later than asked each sleep in a neighbour woke up (oversleep): p99 (p50), per phase
          </caption>
          <thead>
            <tr>
              <th scope="col">Neighbour</th>
              {phases.map((p) => (
                <th scope="col" key={p}>
                  {PHASE_LABELS[p]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.neighbours.map((n) => (
              <tr key={n.kind} data-testid={`latency-${n.kind}`}>
                <th scope="row">
                  {KIND_LABELS[n.kind]} {n.kind === "vm" && <AccelBadge accel={n.accel} />}
                </th>
                {phases.map((p) => {
                  const s = n.perPhase[p];
                  return <td key={p}>{s ? `${formatLatencyUs(s.p99Us)} (${formatLatencyUs(s.p50Us)})` : "—"}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
