"use client";
import { Bar, BarChart, Tooltip, XAxis, YAxis } from "recharts";
import { accelLabel, type StartupKind } from "@/lib/experiments/types";
import { formatMs } from "@/lib/core/format";
import type { Accel } from "@/lib/core/types";
import { isVmKind, KIND_LABELS, PHASE_COLORS } from "./labels";

export interface PhaseBarsProps {
  kinds: { kind: StartupKind; accel?: Accel; phases: { name: string; ms: number }[] }[];
}

/**
 * Median phases of each kind as one stacked bar, one small chart per kind,
 * each on its own millisecond axis: a VM's 1 s and a process's 3 ms share no
 * readable scale, and the numbers beside each bar say the absolute story.
 */
export function PhaseBars({ kinds }: PhaseBarsProps) {
  if (kinds.length === 0)
    return (
      <div className="chart-empty muted" style={{ height: 80 }}>
        No successful starts to draw.
      </div>
    );
  return (
    <div className="stack" data-testid="phase-bars">
      {kinds.map((k) => {
        const row = Object.fromEntries([["kind", k.kind], ...k.phases.map((p) => [p.name, p.ms])]);
        const total = k.phases.reduce((a, p) => a + p.ms, 0);
        const text = k.phases.map((p) => `${p.name} ${formatMs(p.ms)}`).join(", ");
        return (
          <figure
            key={k.kind}
            className="chart"
            role="img"
            aria-label={`${KIND_LABELS[k.kind]} median startup phases${isVmKind(k.kind) ? ` (${accelLabel(k.accel)})` : ""}: ${text}; sum ${formatMs(total)}`}
          >
            <figcaption className="small">
              <strong>{KIND_LABELS[k.kind]}</strong> <span className="muted">— median phases, sum {formatMs(total)}</span>
              {isVmKind(k.kind) && <span className="muted"> · {accelLabel(k.accel)}</span>}
            </figcaption>
            <BarChart responsive layout="vertical" data={[row]} style={{ width: "100%", height: 64 }} margin={{ top: 4, right: 16, bottom: 16, left: 8 }}>
              <XAxis type="number" domain={[0, "dataMax"]} fontSize={11} stroke="var(--muted)" tickFormatter={(v: number) => formatMs(v)} />
              <YAxis type="category" dataKey="kind" hide />
              <Tooltip
                formatter={(v) => (typeof v === "number" ? formatMs(v) : String(v))}
                contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" }}
              />
              {k.phases.map((p, i) => (
                <Bar key={p.name} dataKey={p.name} name={p.name} stackId="phases" fill={PHASE_COLORS[i % PHASE_COLORS.length]} isAnimationActive={false} />
              ))}
            </BarChart>
            <div className="legend">
              {k.phases.map((p, i) => (
                <span key={p.name}>
                  <i style={{ background: PHASE_COLORS[i % PHASE_COLORS.length] }} />
                  {p.name} {formatMs(p.ms)}
                </span>
              ))}
            </div>
          </figure>
        );
      })}
    </div>
  );
}
