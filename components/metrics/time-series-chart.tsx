"use client";
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  /** SVG dash pattern, so series differ by more than colour. */
  dash?: string;
}

export interface TimeSeriesChartProps {
  /** Rows with `t` (epoch ms) and one number (or null for a gap) per series key. */
  data: Array<{ t: number } & Record<string, number | null | undefined>>;
  series: ChartSeries[];
  /** Y axis title with its unit, e.g. "memory (MiB)". */
  yLabel: string;
  /** Values are divided by this before drawing (e.g. 2^20 for MiB). */
  yScale?: number;
  title: string;
  loading?: boolean;
  testId?: string;
  height?: number;
}

const clockTime = (t: number) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A line chart over time with titled, unit-bearing axes and a legend naming each (dashed or solid) line. */
export function TimeSeriesChart({ data, series, yLabel, yScale = 1, title, loading, testId, height = 220 }: TimeSeriesChartProps) {
  const scaled =
    yScale === 1 ? data : data.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === "t" || typeof v !== "number" ? v : v / yScale])));
  const description = `${title}: ${series.map((s) => s.label).join(" and ")} over time; y axis ${yLabel}; ${data.length} samples`;
  return (
    <figure className="chart" aria-label={description} role="img" data-testid={testId} data-points={data.length} aria-busy={loading || undefined}>
      <figcaption className="small">
        <strong>{title}</strong> <span className="muted">({yLabel})</span>
      </figcaption>
      {loading ? (
        <div className="chart-empty muted" style={{ height }}>
          Loading samples…
        </div>
      ) : data.length < 2 ? (
        <div className="chart-empty muted" style={{ height }}>
          No samples in this window yet — they arrive once a second while the instance runs.
        </div>
      ) : (
        <LineChart responsive data={scaled} style={{ width: "100%", height }} margin={{ top: 8, right: 12, bottom: 28, left: 12 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={clockTime}
            stroke="var(--muted)"
            fontSize={11}
            label={{ value: "time (local clock)", position: "insideBottom", offset: -16, fill: "var(--muted)", fontSize: 11 }}
          />
          <YAxis
            stroke="var(--muted)"
            fontSize={11}
            width={56}
            domain={[0, "auto"]}
            tickFormatter={(v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1))}
            label={{ value: yLabel, angle: -90, position: "insideLeft", fill: "var(--muted)", fontSize: 11, style: { textAnchor: "middle" } }}
          />
          <Tooltip
            labelFormatter={(t) => clockTime(Number(t))}
            formatter={(v) => (typeof v === "number" ? v.toFixed(2) : String(v))}
            contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" }}
          />
          <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
          {series.map((s) => (
            <Line
              key={s.key}
              type="linear"
              dataKey={s.key}
              name={s.label}
              stroke={s.color}
              strokeDasharray={s.dash}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
        </LineChart>
      )}
    </figure>
  );
}
