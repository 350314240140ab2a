import { directionNote, formatIdleCpu, formatRatio, formatValue } from "@/lib/experiments/format";
import type { OverheadResult } from "@/lib/experiments/overhead/types";
import { formatBytes, formatMs } from "@/lib/core/format";
import { INSTANCE_KINDS, type Accel } from "@/lib/core/types";
import { AccelBadge } from "./accel-badge";
import { KIND_LABELS } from "./labels";
import { SkippedKinds } from "./skipped-kinds";

/**
 * The IBM study's table: rows are workloads, columns kinds, each cell the
 * median with its unit and the ratio to the bare process. The VM column
 * carries its accelerator on every number.
 */
export function OverheadResultView({ result }: { result: OverheadResult }) {
  const kinds = INSTANCE_KINDS.filter((k) => result.rows.some((r) => r.perKind[k]) || result.idle.some((i) => i.kind === k));
  const vmAccel: Accel | undefined = result.idle.find((i) => i.kind === "vm")?.accel;
  const tag = (kind: string) => (kind === "vm" ? <span className="xp-accel-tag" title="accelerator">{vmAccel?.toUpperCase() ?? "?"}</span> : null);
  return (
    <div className="stack">
      <SkippedKinds skipped={result.skipped} />
      <table className="xp-table" aria-label="Runtime overhead per workload">
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Better</th>
            {kinds.map((k) => (
              <th scope="col" key={k}>
                {KIND_LABELS[k]} {k === "vm" && <AccelBadge accel={vmAccel} />}
                <div className="small muted">median · ratio to process</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r) => (
            <tr key={r.metric} data-metric={r.metric}>
              <th scope="row">
                {r.label}
                <div className="small muted">
                  {r.unit} · probe {r.workload} {result.workloadArgs[r.workload]?.join(" ")}
                </div>
              </th>
              <td className="small" title={directionNote(r.direction)}>
                {r.direction === "higher" ? "higher ↑" : "lower ↓"}
              </td>
              {kinds.map((k) => {
                const s = r.perKind[k];
                return (
                  <td key={k} data-testid={`cell-${r.metric}-${k}`}>
                    {s ? (
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
                    ) : (
                      <span className="muted">no result</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted" style={{ margin: 0 }}>
        Ratios are the kind&apos;s median over the bare process&apos;s median. For “higher” rows a ratio below 1× is a slowdown; for “lower” rows
        (system call latency) a ratio above 1× is. /tmp is the host&apos;s disk for the process, a tmpfs in the container and RAM in the VM.
      </p>
      <h3 style={{ margin: "0.5rem 0 0" }}>Idle cost on the host</h3>
      {result.idle.length === 0 ? (
        <p className="muted">No idle measurement.</p>
      ) : (
        <table className="xp-table" aria-label="Idle cost per kind">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Host CPU (% of one core)</th>
              <th scope="col">Host memory</th>
              <th scope="col">Measured as</th>
              <th scope="col">Window</th>
            </tr>
          </thead>
          <tbody>
            {result.idle.map((i) => (
              <tr key={i.kind} data-kind={i.kind}>
                <th scope="row">
                  {KIND_LABELS[i.kind]} {i.kind === "vm" && <AccelBadge accel={i.accel} />}
                </th>
                <td>{formatIdleCpu(i.cpuPercent, i.cpuResolutionPercent)}</td>
                <td>{formatBytes(i.memoryBytes)}</td>
                <td className="small muted">{i.memorySource === "cgroup" ? "cgroup memory usage" : i.kind === "vm" ? "QEMU PSS (all threads' process)" : "process PSS"}</td>
                <td>{formatMs(i.windowMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
