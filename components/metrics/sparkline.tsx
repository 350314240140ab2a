"use client";
import { Line, LineChart, YAxis } from "recharts";

export interface SparkPoint {
  t: number;
  v: number | null;
}

export interface SparklineProps {
  points: SparkPoint[];
  /** What is drawn, e.g. "CPU" — read out with the values. */
  label: string;
  format: (v: number) => string;
  color: string;
  loading?: boolean;
  testId?: string;
  height?: number;
}

/** A tiny line with its latest value as text beside it; the numbers, not the colour, carry the meaning. */
export function Sparkline({ points, label, format, color, loading, testId, height = 36 }: SparklineProps) {
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  const latest = values.at(-1);
  const max = values.length ? Math.max(...values) : undefined;
  const summary = loading
    ? `${label}: loading`
    : latest === undefined
      ? `${label}: no samples yet`
      : `${label}: now ${format(latest)}, peak ${format(max!)} over ${points.length} samples`;
  return (
    <figure className="spark" role="img" aria-label={summary} data-testid={testId} data-points={points.length} aria-busy={loading || undefined}>
      <figcaption className="spark-label small">
        <span className="muted">{label}</span> <strong>{latest === undefined ? "—" : format(latest)}</strong>
      </figcaption>
      {loading ? (
        <div className="spark-empty muted small" style={{ height }}>
          loading…
        </div>
      ) : points.length < 2 ? (
        <div className="spark-empty muted small" style={{ height }}>
          waiting for samples…
        </div>
      ) : (
        <LineChart responsive data={points} style={{ width: "100%", height }} margin={{ top: 2, right: 2, bottom: 2, left: 2 }} accessibilityLayer={false}>
          <YAxis hide domain={[0, "auto"]} />
          <Line type="linear" dataKey="v" stroke={color} strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls={false} />
        </LineChart>
      )}
    </figure>
  );
}
