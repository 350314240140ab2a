import { formatRatio } from "@/lib/experiments/format";
import type { ExperimentSample } from "@/lib/experiments/types";
import type { StartupResult } from "@/lib/experiments/startup/types";
import { formatMs } from "@/lib/core/format";
import { AccelBadge } from "./accel-badge";
import { isVmKind, KIND_LABELS } from "./labels";
import { PhaseBars } from "./phase-bars";
import { SkippedKinds } from "./skipped-kinds";
import { StartupCdf } from "./startup-cdf";
import { arrivalText } from "@/lib/experiments/startup/warm-memory";
import { WarmMemoryChart } from "./warm-memory-chart";

/** Startup: medians and spread per kind and phase, the vm/container ratio, and the charts. */
export function StartupResultView({ result, samples, charts = true }: { result: StartupResult; samples: ExperimentSample[]; charts?: boolean }) {
  const measured = (kind: string) => samples.filter((s) => s.kind === kind && s.sample === "startup" && !s.warmup && !s.error);
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <table className="xp-table" aria-label="Startup time per kind">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Runs</th>
            <th scope="col">Min</th>
            <th scope="col">Median</th>
            <th scope="col">p95</th>
            <th scope="col">Max</th>
            <th scope="col">Failed starts</th>
          </tr>
        </thead>
        <tbody>
          {result.kinds.map((k) => (
            <tr key={k.kind} data-kind={k.kind}>
              <th scope="row">
                {KIND_LABELS[k.kind]} {isVmKind(k.kind) && <AccelBadge accel={k.accel} />}
              </th>
              <td>{k.total.n}</td>
              <td>{formatMs(k.total.min)}</td>
              <td data-testid={`median-${k.kind}`}>
                <strong>{formatMs(k.total.median)}</strong>
              </td>
              <td>{formatMs(k.total.p95)}</td>
              <td>{formatMs(k.total.max)}</td>
              <td>{k.failures}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="xp-ratios" data-testid="startup-ratios">
        Ratios of medians: <strong>vm / container {formatRatio(result.ratioVmToContainer)}</strong> · vm / process {formatRatio(result.ratioVmToProcess)} · container / process{" "}
        {formatRatio(result.ratioContainerToProcess)}
        {result.kinds.some((k) => k.kind === "vm-warm") && (
          <>
            {" "}
            · <strong>vm-warm / vm {formatRatio(result.ratioWarmToVm)}</strong> · vm-warm / container {formatRatio(result.ratioWarmToContainer)}
          </>
        )}
        {result.kinds.some((k) => isVmKind(k.kind)) && (
          <>
            {" "}
            · <AccelBadge accel={result.kinds.find((k) => isVmKind(k.kind))?.accel} />
          </>
        )}
      </p>
      <table className="xp-table" aria-label="Startup phases per kind">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Phase</th>
            <th scope="col">Min</th>
            <th scope="col">Median</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {result.kinds.flatMap((k) =>
            k.phases.map((p, i) => (
              <tr key={`${k.kind}-${p.name}`}>
                {i === 0 && (
                  <th scope="rowgroup" rowSpan={k.phases.length}>
                    {KIND_LABELS[k.kind]} {isVmKind(k.kind) && <AccelBadge accel={k.accel} />}
                  </th>
                )}
                <td className="mono">{p.name}</td>
                <td>{formatMs(p.summary.min)}</td>
                <td>{formatMs(p.summary.median)}</td>
                <td>{formatMs(p.summary.p95)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      {charts && (
        <div className="grid-2">
          <PhaseBars kinds={result.kinds.map((k) => ({ kind: k.kind, accel: k.accel, phases: k.phases.map((p) => ({ name: p.name, ms: p.summary.median })) }))} />
          <StartupCdf series={result.kinds.map((k) => ({ kind: k.kind, accel: k.accel, totalsMs: measured(k.kind).map((s) => s.values.total_ms) }))} />
        </div>
      )}
      {result.memory && (charts ? <WarmMemoryChart memory={result.memory} /> : <p className="small">{arrivalText(result.memory)}</p>)}
    </div>
  );
}
