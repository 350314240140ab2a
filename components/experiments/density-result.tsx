import { formatRatio } from "@/lib/experiments/format";
import { formatBytes, formatMs } from "@/lib/core/format";
import { formatCount, formatMiB } from "@/lib/experiments/density/headline";
import type { DensityKindResult, DensityResult } from "@/lib/experiments/density/types";
import type { LinearFit } from "@/lib/core/linear-fit";
import { GIB, MIB } from "@/lib/host/memory-guard";
import { plannerDefaults } from "@/lib/experiments/density/planner-defaults";
import { AccelBadge } from "./accel-badge";
import { DensityCharts, type DensityChartKind } from "./density-charts";
import { KIND_LABELS } from "./labels";
import { PlannerForm } from "./planner-form";
import { SkippedKinds } from "./skipped-kinds";
import "./density-isolation.css";

// A density run: how far each kind got and why it stopped, the marginal
// host memory and CPU of one more instance, "fits on this host" with its
// assumptions, the VM/container ratio, the charts and the planner.

const fit = (f: LinearFit | null) => (f ? `${formatMiB(f.slope)}${f.r2 !== null ? ` · R² ${f.r2.toFixed(2)}` : ""}` : "—");

function chartKind(k: DensityKindResult): DensityChartKind {
  return {
    kind: k.kind,
    accel: k.accel,
    marginalMiB: k.marginal.chosenMiB,
    points: k.steps.map((s) => ({ n: s.instances, dropMiB: s.availableDropBytes / MIB, viewMiB: s.sumHostBytes / MIB, startupMs: s.startupMs })),
  };
}

export function DensityResultView({ result, id, charts = true }: { result: DensityResult; id: string; charts?: boolean }) {
  const defaults = plannerDefaults(result);
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <p className="cap-ratio" data-testid="density-ratio">
        VM / container marginal memory: <strong>{formatRatio(result.ratioVmToContainer)}</strong>{" "}
        {result.kinds.some((k) => k.kind === "vm") && <AccelBadge accel={result.kinds.find((k) => k.kind === "vm")?.accel} />}
      </p>
      <table className="xp-table" aria-label="Density per kind">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Reached</th>
            <th scope="col">Marginal memory: MemAvailable</th>
            <th scope="col">Sum of host views</th>
            <th scope="col">Used</th>
            <th scope="col">CPU per instance</th>
            <th scope="col">Startup, first → last</th>
            <th scope="col">Fits on this host</th>
          </tr>
        </thead>
        <tbody>
          {result.kinds.map((k) => (
            <tr key={k.kind} data-testid={`density-${k.kind}`}>
              <th scope="row">
                {KIND_LABELS[k.kind]} {k.kind === "vm" && <AccelBadge accel={k.accel} />}
                <div className="small muted">stopped: {k.stopText}</div>
              </th>
              <td data-testid={`reached-${k.kind}`}>{k.reached}</td>
              <td>{fit(k.marginal.memAvailable)}</td>
              <td>{fit(k.marginal.hostView)}</td>
              <td data-testid={`marginal-${k.kind}`}>
                <strong>{formatMiB(k.marginal.chosenMiB)}</strong>
                <div className="small muted">{k.marginal.chosenFrom === "memavailable" ? "from MemAvailable" : k.marginal.chosenFrom === "host-view" ? "from host views" : ""}</div>
              </td>
              <td>{k.marginal.cpuPct ? `${Math.max(0, k.marginal.cpuPct.slope).toFixed(2)} % of a core` : "—"}</td>
              <td>
                {formatMs(k.startup.firstMs ?? undefined)} → {formatMs(k.startup.lastMs ?? undefined)}
              </td>
              <td data-testid={`fits-${k.kind}`}>
                <strong>{formatCount(k.fits.count)}</strong>
                <div className="small muted">
                  {k.fits.bound ? `${k.fits.bound} bound` : "not measurable"} · {formatBytes(k.fits.budgetBytes)} to spend
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.kinds.filter((k) => k.marginal.note).map((k) => (
        <p key={k.kind} className="small muted" style={{ margin: 0 }}>
          {KIND_LABELS[k.kind]}: {k.marginal.note}.
        </p>
      ))}
      {charts && <DensityCharts kinds={result.kinds.map(chartKind)} />}
      <details>
        <summary className="small">Assumptions behind “fits on this host”</summary>
        <ul className="cap-assumptions small">
          {result.assumptions.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      </details>
      {charts && <PlannerForm defaults={defaults} source={`Overheads measured by this run (${id}); host memory ${result.host.totalBytes ? `${(result.host.totalBytes / GIB).toFixed(1)} GiB, this host's` : "unknown"}. Change any number.`} />}
    </div>
  );
}
