import { directionNote, formatIdleCpu, formatRatio, formatValue } from "@/lib/experiments/format";
import type { OverheadResult } from "@/lib/experiments/overhead/types";
import { formatBytes, formatMs } from "@/lib/core/format";
import { INSTANCE_KINDS, type Accel, type InstanceKind } from "@/lib/core/types";
import { ResultTable, type ResultColumn } from "@/components/ui/result-table";
import { KindName } from "./kind-name";
import { SkippedKinds } from "./skipped-kinds";

type Row = OverheadResult["rows"][number];
type Idle = OverheadResult["idle"][number];

const IDLE_COLUMNS: ResultColumn<Idle>[] = [
  { header: "Kind", rowHeader: true, cell: (i) => <KindName kind={i.kind} accel={i.accel} /> },
  { header: "Host CPU", unit: "% of one core", numeric: true, cell: (i) => formatIdleCpu(i.cpuPercent, i.cpuResolutionPercent) },
  { header: "Host memory", numeric: true, cell: (i) => formatBytes(i.memoryBytes) },
  {
    header: "Measured as",
    className: "small muted",
    cell: (i) => (i.memorySource === "cgroup" ? "cgroup memory usage" : i.kind === "vm" ? "QEMU PSS (all threads' process)" : "process PSS"),
  },
  { header: "Window", numeric: true, cell: (i) => formatMs(i.windowMs) },
];

/** One column per kind after the workload and its direction; a cell is the median and the ratio to the process. */
function workloadColumns(result: OverheadResult, kinds: readonly InstanceKind[], vmAccel: Accel | undefined): ResultColumn<Row>[] {
  const tag = (kind: string) =>
    kind === "vm" ? (
      <span className="xp-accel-tag" title="accelerator">
        {vmAccel?.toUpperCase() ?? "?"}
      </span>
    ) : null;
  return [
    {
      header: "Workload",
      rowHeader: true,
      cell: (r) => (
        <>
          {r.label}
          <div className="small muted">
            {r.unit} · probe {r.workload} {result.workloadArgs[r.workload]?.join(" ")}
          </div>
        </>
      ),
    },
    {
      header: "Better",
      className: "small",
      cell: (r) => (r.direction === "higher" ? "higher ↑" : "lower ↓"),
      cellProps: (r) => ({ title: directionNote(r.direction) }),
    },
    ...kinds.map((k): ResultColumn<Row> => ({
      header: (
        <>
          <KindName kind={k} accel={vmAccel} />
          <div className="small muted">median · ratio to process</div>
        </>
      ),
      numeric: true,
      cellProps: (r) => ({ "data-testid": `cell-${r.metric}-${k}` }),
      cell: (r) => {
        const s = r.perKind[k];
        if (!s) return <span className="muted">no result</span>;
        return (
          <>
            <div>
              {formatValue(s.median, r.unit)} {tag(k)}
            </div>
            <div className="small">
              <strong>{formatRatio(r.ratio[k])}</strong>{" "}
              <span className="muted">
                (n={s.n}, {formatValue(s.min, r.unit)}–{formatValue(s.max, r.unit)})
              </span>
            </div>
          </>
        );
      },
    })),
  ];
}

/**
 * The IBM study's table: rows are workloads, columns kinds, each cell the
 * median with its unit and the ratio to the bare process. The VM column
 * carries its accelerator on every number.
 */
export function OverheadResultView({ result }: { result: OverheadResult }) {
  const kinds = INSTANCE_KINDS.filter((k) => result.rows.some((r) => r.perKind[k]) || result.idle.some((i) => i.kind === k));
  const vmAccel: Accel | undefined = result.idle.find((i) => i.kind === "vm")?.accel;
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <ResultTable
        label="Runtime overhead per workload"
        columns={workloadColumns(result, kinds, vmAccel)}
        rows={result.rows}
        rowKey={(r) => r.metric}
        rowProps={(r) => ({ "data-metric": r.metric })}
      />
      <p className="small muted" style={{ margin: 0 }}>
        Ratios are the kind&apos;s median over the bare process&apos;s median. For “higher” rows a ratio below 1× is a slowdown; for “lower” rows (system call
        latency) a ratio above 1× is. /tmp is the host&apos;s disk for the process, a tmpfs in the container and RAM in the VM.
      </p>
      <h3 style={{ margin: "0.5rem 0 0" }}>Idle cost on the host</h3>
      {result.idle.length === 0 ? (
        <p className="muted">No idle measurement.</p>
      ) : (
        <ResultTable label="Idle cost per kind" columns={IDLE_COLUMNS} rows={result.idle} rowKey={(i) => i.kind} rowProps={(i) => ({ "data-kind": i.kind })} />
      )}
    </div>
  );
}
