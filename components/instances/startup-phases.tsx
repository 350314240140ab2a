import { formatMs } from "@/lib/core/format";
import type { Startup } from "@/lib/core/types";

const PHASE_COLORS = ["var(--phase-1)", "var(--phase-2)", "var(--phase-3)", "var(--phase-4)"];

/** A stacked bar of measured startup phases, with the numbers as text beside it. */
export function StartupPhases({ startup }: { startup: Startup }) {
  const total = Math.max(startup.totalMs, 1e-6);
  const label = startup.phases.map((p) => `${p.name} ${formatMs(p.ms)}`).join(", ");
  return (
    <div className="stack" style={{ gap: "0.3rem" }}>
      <div className="phasebar" role="img" aria-label={`Startup ${formatMs(startup.totalMs)}: ${label}`}>
        {startup.phases.map((p, i) => (
          <span
            key={p.name}
            title={`${p.name}: ${formatMs(p.ms)}`}
            style={{ width: `${(100 * p.ms) / total}%`, background: PHASE_COLORS[i % PHASE_COLORS.length] }}
          />
        ))}
      </div>
      <div className="legend" data-testid="startup-phases">
        {startup.phases.map((p, i) => (
          <span key={p.name}>
            <i style={{ background: PHASE_COLORS[i % PHASE_COLORS.length] }} />
            {p.name} {formatMs(p.ms)}
          </span>
        ))}
        <strong>total {formatMs(startup.totalMs)}</strong>
      </div>
    </div>
  );
}
