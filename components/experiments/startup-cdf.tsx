"use client";
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { accelLabel, type StartupKind } from "@/lib/experiments/types";
import { formatMs } from "@/lib/core/format";
import { empiricalCdf } from "@/lib/core/stats";
import type { Accel } from "@/lib/core/types";
import { KIND_COLORS, KIND_DASH, KIND_LABELS } from "./labels";

export interface StartupCdfProps {
  series: { kind: StartupKind; accel?: Accel; totalsMs: number[] }[];
  height?: number;
}

/** Empirical CDF of total startup per kind on a log time axis (kinds differ by orders of magnitude). */
export function StartupCdf({ series, height = 260 }: StartupCdfProps) {
  const lines = series
    .filter((s) => s.totalsMs.length > 0)
    .map((s) => ({ ...s, points: empiricalCdf(s.totalsMs).map((p) => ({ ms: p.value, pct: p.fraction * 100 })) }));
  const all = lines.flatMap((l) => l.points.map((p) => p.ms));
  const description = `Distribution of startup time: ${lines.map((l) => `${KIND_LABELS[l.kind]} ${l.points.length} distinct values from ${formatMs(Math.min(...l.totalsMs))} to ${formatMs(Math.max(...l.totalsMs))}`).join("; ")}`;
  if (lines.length === 0)
    return (
      <div className="chart-empty muted" style={{ height }}>
        No successful starts to draw.
      </div>
    );
  return (
    <figure className="chart" role="img" aria-label={description} data-testid="startup-cdf">
      <figcaption className="small">
        <strong>Startup time distribution</strong> <span className="muted">(cumulative % of runs vs total ms, log axis)</span>
        {lines.some((l) => l.kind === "vm") && <span className="muted"> · VM: {accelLabel(lines.find((l) => l.kind === "vm")?.accel)}</span>}
      </figcaption>
      <LineChart responsive style={{ width: "100%", height }} margin={{ top: 8, right: 16, bottom: 28, left: 12 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        <XAxis
          dataKey="ms"
          type="number"
          scale="log"
          domain={[Math.max(Math.min(...all) * 0.8, 0.1), Math.max(...all) * 1.2]}
          allowDataOverflow
          tickFormatter={(v: number) => formatMs(v)}
          fontSize={11}
          stroke="var(--muted)"
          label={{ value: "total startup (ms, log scale)", position: "insideBottom", offset: -16, fill: "var(--muted)", fontSize: 11 }}
        />
        <YAxis
          dataKey="pct"
          type="number"
          domain={[0, 100]}
          fontSize={11}
          stroke="var(--muted)"
          width={48}
          tickFormatter={(v: number) => `${v} %`}
          label={{ value: "runs ≤ x (%)", angle: -90, position: "insideLeft", fill: "var(--muted)", fontSize: 11, style: { textAnchor: "middle" } }}
        />
        <Tooltip
          formatter={(v, name) => [`${Number(v).toFixed(0)} %`, name]}
          labelFormatter={(v) => formatMs(Number(v))}
          contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" }}
        />
        <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
        {lines.map((l) => (
          <Line
            key={l.kind}
            data={l.points}
            dataKey="pct"
            name={KIND_LABELS[l.kind]}
            type="stepAfter"
            stroke={KIND_COLORS[l.kind]}
            strokeDasharray={KIND_DASH[l.kind]}
            strokeWidth={2}
            dot={{ r: 2 }}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
}
