"use client";
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { Accel } from "@/lib/core/types";
import type { DensityKind } from "@/lib/experiments/density/schema";
import { KIND_COLORS, KIND_DASH, KIND_LABELS } from "./labels";

// Density charts: instances (x) against host memory per kind — one panel per
// kind, since a VM costs hundreds of times what a container does — and
// startup time as density grows. Data through props; nothing here fetches.

export interface DensityChartKind {
  kind: DensityKind;
  accel?: Accel;
  /** Per step: instances, MemAvailable drop, sum of host views and the kernel structures' growth (MiB; null when not read), startup (ms). */
  points: { n: number; dropMiB: number; viewMiB: number; kernelMiB?: number | null; startupMs: number | null }[];
  /** The marginal used for the extrapolation, drawn as a line through the baseline. */
  marginalMiB: number | null;
}

export interface DensityChartsProps {
  kinds: DensityChartKind[];
}

const AXIS = { stroke: "var(--muted)", fontSize: 11 } as const;
const TOOLTIP = { background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" } as const;
const countAxis = (
  <XAxis
    dataKey="n"
    type="number"
    allowDecimals={false}
    domain={[0, "dataMax"]}
    label={{ value: "instances running", position: "insideBottom", offset: -16, fill: "var(--muted)", fontSize: 11 }}
    {...AXIS}
  />
);

function MemoryChart({ k }: { k: DensityChartKind }) {
  const rows = k.points.map((p) => ({ ...p, fitMiB: k.marginalMiB === null ? null : p.n * k.marginalMiB }));
  const last = k.points[k.points.length - 1];
  const n = last?.n ?? 0;
  const description = `${KIND_LABELS[k.kind]}: ${n} instance${n === 1 ? "" : "s"} cost${n === 1 ? "s" : ""} the host ${last?.dropMiB.toFixed(1) ?? "?"} MiB of MemAvailable and ${last?.viewMiB.toFixed(1) ?? "?"} MiB by their host views${k.marginalMiB !== null ? `; ${k.marginalMiB.toFixed(2)} MiB per instance` : ""}`;
  return (
    <figure className="chart" role="img" aria-label={description} data-testid={`density-memory-${k.kind}`} data-points={k.points.length}>
      <figcaption className="small">
        <strong>{KIND_LABELS[k.kind]}s vs host memory</strong>{" "}
        <span className="muted">(MiB{k.kind.startsWith("vm") && k.accel ? `; ${k.accel.toUpperCase()}` : ""})</span>
      </figcaption>
      <LineChart responsive data={rows} style={{ width: "100%", height: 220 }} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        {countAxis}
        <YAxis type="number" width={56} tickFormatter={(v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1))} {...AXIS} />
        <Tooltip labelFormatter={(n) => `${n} instances`} formatter={(v) => `${Number(v).toFixed(2)} MiB`} contentStyle={TOOLTIP} />
        <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
        <Line dataKey="dropMiB" name="MemAvailable drop" stroke={KIND_COLORS[k.kind]} strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
        <Line
          dataKey="viewMiB"
          name="sum of host views"
          stroke={KIND_COLORS[k.kind]}
          strokeDasharray="6 3"
          strokeWidth={1.5}
          dot={{ r: 2 }}
          isAnimationActive={false}
        />
        {k.points.some((p) => p.kernelMiB !== null && p.kernelMiB !== undefined) && (
          <Line
            dataKey="kernelMiB"
            name="kernel structures"
            stroke={KIND_COLORS[k.kind]}
            strokeDasharray="1 3"
            strokeWidth={1.5}
            dot={{ r: 2 }}
            isAnimationActive={false}
          />
        )}
        {k.marginalMiB !== null && (
          <Line dataKey="fitMiB" name="marginal used" stroke="var(--muted)" strokeDasharray="2 3" strokeWidth={1} dot={false} isAnimationActive={false} />
        )}
      </LineChart>
    </figure>
  );
}

function StartupChart({ kinds }: DensityChartsProps) {
  const description = `Startup time as density grows: ${kinds.map((k) => `${KIND_LABELS[k.kind]} ${k.points.filter((p) => p.startupMs !== null).length} starts`).join("; ")}`;
  return (
    <figure className="chart" role="img" aria-label={description} data-testid="density-startup">
      <figcaption className="small">
        <strong>Startup time as density grows</strong> <span className="muted">(ms, log axis)</span>
      </figcaption>
      <LineChart responsive style={{ width: "100%", height: 220 }} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        {countAxis}
        <YAxis type="number" scale="log" domain={["auto", "auto"]} allowDataOverflow width={56} tickFormatter={(v: number) => v.toFixed(0)} {...AXIS} />
        <Tooltip labelFormatter={(n) => `instance #${n}`} formatter={(v) => `${Number(v).toFixed(0)} ms`} contentStyle={TOOLTIP} />
        <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
        {kinds.map((k) => (
          <Line
            key={k.kind}
            data={k.points.filter((p) => p.startupMs !== null && p.startupMs > 0)}
            dataKey="startupMs"
            name={KIND_LABELS[k.kind]}
            stroke={KIND_COLORS[k.kind]}
            strokeDasharray={KIND_DASH[k.kind]}
            strokeWidth={2}
            dot={{ r: 2 }}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
}

export function DensityCharts({ kinds }: DensityChartsProps) {
  if (!kinds.some((k) => k.points.length > 1))
    return (
      <div className="chart-empty muted" style={{ height: 120 }}>
        No instance was added, so there is nothing to draw.
      </div>
    );
  return (
    <div className="grid-3" data-testid="density-charts">
      {kinds.map((k) => (
        <MemoryChart key={k.kind} k={k} />
      ))}
      <StartupChart kinds={kinds} />
    </div>
  );
}
