import { formatRatio } from "@/lib/experiments/format";
import type { ExperimentSample } from "@/lib/experiments/types";
import type { StartupResult } from "@/lib/experiments/startup/types";
import { formatMs } from "@/lib/core/format";
import { ResultTable, type ResultColumn } from "@/components/ui/result-table";
import { AccelBadge } from "./accel-badge";
import { KindName } from "./kind-name";
import { isVmKind } from "./labels";
import { PhaseBars } from "./phase-bars";
import { SkippedKinds } from "./skipped-kinds";
import { StartupCdf } from "./startup-cdf";
import { arrivalText } from "@/lib/experiments/startup/warm-memory";
import { WarmMemoryChart } from "./warm-memory-chart";

type KindRow = StartupResult["kinds"][number];
type PhaseRow = { kind: KindRow; phase: KindRow["phases"][number]; first: boolean };

const TOTAL_COLUMNS: ResultColumn<KindRow>[] = [
  { header: "Kind", rowHeader: true, cell: (k) => <KindName kind={k.kind} accel={k.accel} /> },
  { header: "Runs", numeric: true, cell: (k) => k.total.n },
  { header: "Min", numeric: true, cell: (k) => formatMs(k.total.min) },
  { header: "Median", numeric: true, cell: (k) => <strong>{formatMs(k.total.median)}</strong>, cellProps: (k) => ({ "data-testid": `median-${k.kind}` }) },
  { header: "p95", numeric: true, cell: (k) => formatMs(k.total.p95) },
  { header: "Max", numeric: true, cell: (k) => formatMs(k.total.max) },
  { header: "Failed starts", numeric: true, cell: (k) => k.failures },
];

// One row per phase; the kind's header spans its phases.
const PHASE_COLUMNS: ResultColumn<PhaseRow>[] = [
  { header: "Kind", rowHeader: true, rowSpan: (r) => (r.first ? r.kind.phases.length : 0), cell: (r) => <KindName kind={r.kind.kind} accel={r.kind.accel} /> },
  { header: "Phase", className: "mono", cell: (r) => r.phase.name },
  { header: "Min", numeric: true, cell: (r) => formatMs(r.phase.summary.min) },
  { header: "Median", numeric: true, cell: (r) => formatMs(r.phase.summary.median) },
  { header: "p95", numeric: true, cell: (r) => formatMs(r.phase.summary.p95) },
];

/** Startup: medians and spread per kind and phase, the vm/container ratio, and the charts. */
export function StartupResultView({ result, samples, charts = true }: { result: StartupResult; samples: ExperimentSample[]; charts?: boolean }) {
  const measured = (kind: string) => samples.filter((s) => s.kind === kind && s.sample === "startup" && !s.warmup && !s.error);
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <ResultTable
        label="Startup time per kind"
        columns={TOTAL_COLUMNS}
        rows={result.kinds}
        rowKey={(k) => k.kind}
        rowProps={(k) => ({ "data-kind": k.kind })}
      />
      <p className="xp-ratios" data-testid="startup-ratios">
        Ratios of medians: <strong>vm / container {formatRatio(result.ratioVmToContainer)}</strong> · vm / process {formatRatio(result.ratioVmToProcess)} ·
        container / process {formatRatio(result.ratioContainerToProcess)}
        {result.kinds.some((k) => k.kind === "vm-warm") && (
          <>
            {" "}
            · <strong>vm-warm / vm {formatRatio(result.ratioWarmToVm)}</strong> · vm-warm / container {formatRatio(result.ratioWarmToContainer)}
          </>
        )}
        {result.ratioTemplateToContainer != null && <> · vm-template / container {formatRatio(result.ratioTemplateToContainer)}</>}
        {result.ratioPooledToContainer != null && <> · vm-pooled / container {formatRatio(result.ratioPooledToContainer)} (its QEMU was started ahead)</>}
        {result.kinds.some((k) => isVmKind(k.kind)) && (
          <>
            {" "}
            · <AccelBadge accel={result.kinds.find((k) => isVmKind(k.kind))?.accel} />
          </>
        )}
      </p>
      <ResultTable
        label="Startup phases per kind"
        columns={PHASE_COLUMNS}
        rows={result.kinds.flatMap((k) => k.phases.map((phase, i) => ({ kind: k, phase, first: i === 0 })))}
        rowKey={(r) => `${r.kind.kind}-${r.phase.name}`}
      />
      {charts && (
        <div className="grid-2">
          <PhaseBars
            kinds={result.kinds.map((k) => ({ kind: k.kind, accel: k.accel, phases: k.phases.map((p) => ({ name: p.name, ms: p.summary.median })) }))}
          />
          <StartupCdf series={result.kinds.map((k) => ({ kind: k.kind, accel: k.accel, totalsMs: measured(k.kind).map((s) => s.values.total_ms) }))} />
        </div>
      )}
      {result.memory && (charts ? <WarmMemoryChart memory={result.memory} /> : <p className="small">{arrivalText(result.memory)}</p>)}
    </div>
  );
}
