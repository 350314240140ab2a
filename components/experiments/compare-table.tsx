import { formatRatio, formatValue } from "@/lib/experiments/format";
import { STARTUP_KINDS, type ExperimentRecord } from "@/lib/experiments/types";
import { formatMs } from "@/lib/core/format";
import { ratio } from "@/lib/core/stats";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { DensityCompare, IsolationCompare } from "./density-isolation-compare";
import { isVmKind, KIND_LABELS } from "./labels";

/** Headline numbers of two runs of the same type, with B over A. */
export function CompareTable({ a, b }: { a: ExperimentRecord; b: ExperimentRecord }) {
  if (!a.result || !b.result) return <p className="muted">Both runs need results to compare numbers.</p>;
  if (a.result.type !== b.result.type) return <p className="muted">These runs are of different types ({a.type}, {b.type}); they are shown side by side without deltas.</p>;
  if (a.result.type === "startup" && b.result.type === "startup") {
    const ra = a.result;
    const rb = b.result;
    const kinds = STARTUP_KINDS.filter((k) => ra.kinds.some((x) => x.kind === k) || rb.kinds.some((x) => x.kind === k));
    return (
      <table className="xp-table" aria-label="Startup medians compared">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">A median ({a.id})</th>
            <th scope="col">B median ({b.id})</th>
            <th scope="col">B / A</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map((k) => {
            const ka = ra.kinds.find((x) => x.kind === k);
            const kb = rb.kinds.find((x) => x.kind === k);
            return (
              <tr key={k}>
                <th scope="row">{KIND_LABELS[k]}</th>
                <td>{formatMs(ka?.total.median)} {isVmKind(k) && ka?.accel?.toUpperCase()}</td>
                <td>{formatMs(kb?.total.median)} {isVmKind(k) && kb?.accel?.toUpperCase()}</td>
                <td>{formatRatio(ratio(kb?.total.median, ka?.total.median))}</td>
              </tr>
            );
          })}
          <tr>
            <th scope="row">vm / container</th>
            <td>{formatRatio(ra.ratioVmToContainer)}</td>
            <td>{formatRatio(rb.ratioVmToContainer)}</td>
            <td />
          </tr>
        </tbody>
      </table>
    );
  }
  if (a.result.type === "overhead" && b.result.type === "overhead") {
    const rb = b.result;
    return (
      <table className="xp-table" aria-label="Overhead ratios compared">
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Kind</th>
            <th scope="col">A ({a.id})</th>
            <th scope="col">B ({b.id})</th>
          </tr>
        </thead>
        <tbody>
          {a.result.rows.flatMap((row) =>
            INSTANCE_KINDS.filter((k) => k !== "process" && row.perKind[k]).map((k) => {
              const other = rb.rows.find((x) => x.metric === row.metric);
              return (
                <tr key={`${row.metric}-${k}`}>
                  <th scope="row">{row.label}</th>
                  <td>{KIND_LABELS[k]}</td>
                  <td>
                    {formatValue(row.perKind[k]?.median, row.unit)} · {formatRatio(row.ratio[k])}
                  </td>
                  <td>
                    {formatValue(other?.perKind[k]?.median, row.unit)} · {formatRatio(other?.ratio[k])}
                  </td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    );
  }
  if (a.result.type === "density" && b.result.type === "density") return <DensityCompare a={a.result} b={b.result} />;
  if (a.result.type === "isolation" && b.result.type === "isolation") return <IsolationCompare a={a.result} b={b.result} />;
  return null;
}
