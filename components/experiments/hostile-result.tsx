import type { HostileResult } from "@/lib/experiments/hostile/types";
import { TARGET_LABELS } from "@/lib/experiments/hostile/types";

/** What a hostile image managed in each box, side by side; a success is marked, a refusal says its errno. */
export function HostileResultView({ result }: { result: HostileResult }) {
  return (
    <div className="stack">
      <table className="views small" data-testid="hostile-table">
        <caption className="muted small" style={{ textAlign: "left" }}>
          <code>probe hostile</code> in each box: every attempt in a child of its own, harmless when it succeeds (guest/probe/hostile.c)
        </caption>
        <thead>
          <tr>
            <th scope="col">Attempt</th>
            {result.targets.map((t) => (
              <th scope="col" key={t}>
                {TARGET_LABELS[t]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row) => (
            <tr key={row.attempt} data-testid={`hostile-${row.attempt}`}>
              <th scope="row">{row.label}</th>
              {result.targets.map((t) => {
                const c = row.cells[t];
                return (
                  <td key={t} className={c?.ok ? "error" : "muted"}>
                    {!c ? "—" : c.ok ? <strong>succeeds</strong> : `refused (${c.errno ?? "?"})`}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {result.failed.map((f) => (
        <p key={f.target} className="error small" role="alert">
          {TARGET_LABELS[f.target]}: no answer — {f.error}
        </p>
      ))}
      <p className="muted small" style={{ margin: 0 }}>
        In a VM the attempts act on its own kernel: a success there reaches the guest, not the host. &quot;module&quot; counts the kernel getting past its
        capability check (nothing is loaded); ENOSYS means the kernel has no module support at all.
      </p>
    </div>
  );
}
