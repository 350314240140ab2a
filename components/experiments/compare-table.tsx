import { formatRatio, formatValue } from "@/lib/experiments/format";
import { STARTUP_KINDS, type ExperimentRecord } from "@/lib/experiments/types";
import type { OverheadResult } from "@/lib/experiments/overhead/types";
import type { StartupResult } from "@/lib/experiments/startup/types";
import { formatMs } from "@/lib/core/format";
import { ratio } from "@/lib/core/stats";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { ResultTable } from "@/components/ui/result-table";
import { DensityCompare, IsolationCompare } from "./density-isolation-compare";
import { isVmKind, KIND_LABELS } from "./labels";

function StartupCompare({ a, b, ids }: { a: StartupResult; b: StartupResult; ids: [string, string] }) {
  const kinds = STARTUP_KINDS.filter((k) => a.kinds.some((x) => x.kind === k) || b.kinds.some((x) => x.kind === k));
  const medianCell = (r: StartupResult, k: (typeof kinds)[number]) => {
    const x = r.kinds.find((y) => y.kind === k);
    return (
      <>
        {formatMs(x?.total.median)} {isVmKind(k) && x?.accel?.toUpperCase()}
      </>
    );
  };
  const medianMs = (r: StartupResult, k: string) => r.kinds.find((x) => x.kind === k)?.total.median;
  return (
    <ResultTable
      label="Startup medians compared"
      rows={kinds}
      rowKey={(k) => k}
      columns={[
        { header: "Kind", rowHeader: true, cell: (k) => KIND_LABELS[k] },
        { header: `A median (${ids[0]})`, numeric: true, cell: (k) => medianCell(a, k) },
        { header: `B median (${ids[1]})`, numeric: true, cell: (k) => medianCell(b, k) },
        { header: "B / A", numeric: true, cell: (k) => formatRatio(ratio(medianMs(b, k), medianMs(a, k))) },
      ]}
      extraRows={
        <tr>
          <th scope="row">vm / container</th>
          <td>{formatRatio(a.ratioVmToContainer)}</td>
          <td>{formatRatio(b.ratioVmToContainer)}</td>
          <td />
        </tr>
      }
    />
  );
}

function OverheadCompare({ a, b, ids }: { a: OverheadResult; b: OverheadResult; ids: [string, string] }) {
  const rows = a.rows.flatMap((row) =>
    INSTANCE_KINDS.filter((k) => k !== "process" && row.perKind[k]).map((kind) => ({ row, kind, other: b.rows.find((x) => x.metric === row.metric) })),
  );
  return (
    <ResultTable
      label="Overhead ratios compared"
      rows={rows}
      rowKey={(r) => `${r.row.metric}-${r.kind}`}
      columns={[
        { header: "Workload", rowHeader: true, cell: (r) => r.row.label },
        { header: "Kind", cell: (r) => KIND_LABELS[r.kind] },
        {
          header: `A (${ids[0]})`,
          numeric: true,
          cell: ({ row, kind }) => (
            <>
              {formatValue(row.perKind[kind]?.median, row.unit)} · {formatRatio(row.ratio[kind])}
            </>
          ),
        },
        {
          header: `B (${ids[1]})`,
          numeric: true,
          cell: ({ row, kind, other }) => (
            <>
              {formatValue(other?.perKind[kind]?.median, row.unit)} · {formatRatio(other?.ratio[kind])}
            </>
          ),
        },
      ]}
    />
  );
}

/** Headline numbers of two runs of the same type, with B over A. */
export function CompareTable({ a, b }: { a: ExperimentRecord; b: ExperimentRecord }) {
  if (!a.result || !b.result) return <p className="muted">Both runs need results to compare numbers.</p>;
  if (a.result.type !== b.result.type)
    return (
      <p className="muted">
        These runs are of different types ({a.type}, {b.type}); they are shown side by side without deltas.
      </p>
    );
  const ids: [string, string] = [a.id, b.id];
  if (a.result.type === "startup" && b.result.type === "startup") return <StartupCompare a={a.result} b={b.result} ids={ids} />;
  if (a.result.type === "overhead" && b.result.type === "overhead") return <OverheadCompare a={a.result} b={b.result} ids={ids} />;
  if (a.result.type === "density" && b.result.type === "density") return <DensityCompare a={a.result} b={b.result} />;
  if (a.result.type === "isolation" && b.result.type === "isolation") return <IsolationCompare a={a.result} b={b.result} />;
  return null;
}
