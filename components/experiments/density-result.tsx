import { formatRatio } from "@/lib/experiments/format";
import { formatBytes, formatMs } from "@/lib/core/format";
import { formatCount, formatMiB } from "@/lib/experiments/density/headline";
import { firstLimitText, templateFileText } from "@/lib/experiments/density/text";
import type { DensityKindResult, DensityResult } from "@/lib/experiments/density/types";
import type { LinearFit } from "@/lib/core/linear-fit";
import { MIB } from "@/lib/host/memory-guard";
import { plannerFigures, templatePlan } from "@/lib/experiments/density/planner-defaults";
import { AccelBadge } from "./accel-badge";
import { DensityCharts, type DensityChartKind } from "./density-charts";
import { KindName } from "./kind-name";
import { KIND_LABELS } from "./labels";
import { ResultTable, type ResultColumn } from "@/components/ui/result-table";
import { PlannerForm } from "./planner-form";
import { SkippedKinds } from "./skipped-kinds";
import "./density-isolation.css";

// A density run: how far each kind got and why it stopped, the marginal
// host memory and CPU of one more instance, "fits on this host" with its
// assumptions, the VM/container ratio, the charts and the planner.

const fit = (f: LinearFit | null) => (f ? `${formatMiB(f.slope)}${f.r2 !== null ? ` · R² ${f.r2.toFixed(2)}` : ""}` : "—");

const CHOSEN_WORDS = { memavailable: "from MemAvailable", "host-view": "from host views", kernel: "from kernel structures" } as const;

const COLUMNS: ResultColumn<DensityKindResult>[] = [
  {
    header: "Kind",
    rowHeader: true,
    cell: (k) => (
      <>
        <KindName kind={k.kind} accel={k.accel} />
        <div className="small muted">stopped: {k.stopText}</div>
      </>
    ),
  },
  { header: "Reached", numeric: true, cell: (k) => k.reached, cellProps: (k) => ({ "data-testid": `reached-${k.kind}` }) },
  { header: "Marginal memory: MemAvailable", numeric: true, cell: (k) => fit(k.marginal.memAvailable) },
  { header: "Sum of host views", numeric: true, cell: (k) => fit(k.marginal.hostView) },
  { header: "Kernel structures", numeric: true, cell: (k) => fit(k.marginal.kernel ?? null) },
  {
    header: "Used",
    numeric: true,
    cellProps: (k) => ({ "data-testid": `marginal-${k.kind}` }),
    cell: (k) => (
      <>
        <strong>{formatMiB(k.marginal.chosenMiB)}</strong>
        <div className="small muted">{k.marginal.chosenFrom ? CHOSEN_WORDS[k.marginal.chosenFrom] : ""}</div>
      </>
    ),
  },
  { header: "CPU per instance", numeric: true, cell: (k) => (k.marginal.cpuPct ? `${Math.max(0, k.marginal.cpuPct.slope).toFixed(2)} % of a core` : "—") },
  {
    header: "Startup, first → last",
    numeric: true,
    cell: (k) => (
      <>
        {formatMs(k.startup.firstMs ?? undefined)} → {formatMs(k.startup.lastMs ?? undefined)}
      </>
    ),
  },
  {
    header: "Fits on this host",
    numeric: true,
    cellProps: (k) => ({ "data-testid": `fits-${k.kind}` }),
    cell: (k) => (
      <>
        <strong>{formatCount(k.fits.count)}</strong>
        <div className="small muted">
          {k.fits.bound ? `${k.fits.bound} bound` : "not measurable"} · {formatBytes(k.fits.budgetBytes)} to spend
        </div>
      </>
    ),
  },
];

/** Which estimate was used and why, the first limit, and a budget's prediction checked: a few lines per kind. */
function KindFacts({ k }: { k: DensityKindResult }) {
  const first = firstLimitText(k);
  const template = templateFileText(k);
  if (!k.marginal.why && !first && !k.verify && !template) return null;
  return (
    <ul className="small" style={{ margin: 0 }} data-testid={`density-facts-${k.kind}`}>
      {k.marginal.why && (
        <li>
          {KIND_LABELS[k.kind]}, marginal memory used: {k.marginal.why}.
        </li>
      )}
      {first && <li data-testid={`first-limit-${k.kind}`}>{first}.</li>}
      {k.verify && <li data-testid={`verify-${k.kind}`}>Prediction checked: {k.verify.text}.</li>}
      {template && <li data-testid={`template-file-${k.kind}`}>{template}.</li>}
    </ul>
  );
}

function chartKind(k: DensityKindResult): DensityChartKind {
  return {
    kind: k.kind,
    accel: k.accel,
    marginalMiB: k.marginal.chosenMiB,
    points: k.steps.map((s) => ({
      n: s.instances,
      dropMiB: s.availableDropBytes / MIB,
      viewMiB: s.sumHostBytes / MIB,
      kernelMiB: s.kernelDeltaBytes === null || s.kernelDeltaBytes === undefined ? null : s.kernelDeltaBytes / MIB,
      startupMs: s.startupMs,
    })),
  };
}

export function DensityResultView({ result, id, charts = true }: { result: DensityResult; id: string; charts?: boolean }) {
  const run = { result, label: `this run (${id})` };
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <p className="cap-ratio" data-testid="density-ratio">
        VM / container marginal memory: <strong>{formatRatio(result.ratioVmToContainer)}</strong>{" "}
        {result.kinds.some((k) => k.kind === "vm") && <AccelBadge accel={result.kinds.find((k) => k.kind === "vm")?.accel} />}
        {result.ratioTemplateToVm != null && (
          <>
            {" "}
            · templated VM / cold VM marginal memory: <strong>{formatRatio(result.ratioTemplateToVm)}</strong> (clones share the template&apos;s memory — and
            its contents)
          </>
        )}
      </p>
      <ResultTable
        label="Density per kind"
        columns={COLUMNS}
        rows={result.kinds}
        rowKey={(k) => k.kind}
        rowProps={(k) => ({ "data-testid": `density-${k.kind}` })}
      />
      {result.kinds
        .filter((k) => k.marginal.note)
        .map((k) => (
          <p key={k.kind} className="small muted" style={{ margin: 0 }}>
            {KIND_LABELS[k.kind]}: {k.marginal.note}.
          </p>
        ))}
      {result.kinds.map((k) => (
        <KindFacts key={k.kind} k={k} />
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
      {charts && <PlannerForm figures={plannerFigures(run)} template={templatePlan(run)} />}
    </div>
  );
}
