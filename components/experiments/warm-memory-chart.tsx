"use client";
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatBytes } from "@/lib/core/format";
import { arrivalText, type WarmMemoryResult } from "@/lib/experiments/startup/warm-memory";
import { KIND_COLORS, KIND_LABELS } from "./labels";

const MIB = 2 ** 20;

/**
 * Host memory (QEMU RSS solid, PSS dashed) of a cold-booted and a restored
 * VM over their first seconds, read once a second; x is seconds since each
 * was ready, so the two line up although they started at different times.
 */
export function WarmMemoryChart({ memory, height = 240 }: { memory: WarmMemoryResult; height?: number }) {
  const rows = new Map<number, Record<string, number>>();
  for (const s of memory.series) {
    for (const p of s.points) {
      const row = rows.get(p.tS) ?? { t: p.tS };
      row[`${s.kind}-rss`] = p.rssBytes / MIB;
      row[`${s.kind}-pss`] = p.pssBytes / MIB;
      rows.set(p.tS, row);
    }
  }
  const data = [...rows.values()].sort((a, b) => a.t - b.t);
  const summary = memory.series
    .map(
      (s) =>
        `${KIND_LABELS[s.kind]} RSS ${formatBytes(s.firstRssBytes)} → ${formatBytes(s.lastRssBytes)}, PSS ${formatBytes(s.firstPssBytes)} → ${formatBytes(s.lastPssBytes)}`,
    )
    .join("; ");
  return (
    <figure className="chart" role="img" aria-label={`Host memory over the first ${memory.seconds} s: ${summary}`} data-testid="warm-memory">
      <figcaption className="small">
        <strong>Host memory over the first {memory.seconds} s: cold boot vs restored</strong>{" "}
        <span className="muted">(QEMU RSS solid, PSS dashed; MiB vs seconds since ready)</span>
      </figcaption>
      <LineChart responsive data={data} style={{ width: "100%", height }} margin={{ top: 8, right: 16, bottom: 28, left: 12 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        <XAxis
          dataKey="t"
          type="number"
          domain={[0, "dataMax"]}
          fontSize={11}
          stroke="var(--muted)"
          label={{ value: "seconds since ready", position: "insideBottom", offset: -16, fill: "var(--muted)", fontSize: 11 }}
        />
        <YAxis
          fontSize={11}
          stroke="var(--muted)"
          width={48}
          label={{ value: "MiB", angle: -90, position: "insideLeft", fill: "var(--muted)", fontSize: 11 }}
        />
        <Tooltip
          formatter={(v, name) => [`${Number(v).toFixed(1)} MiB`, name]}
          labelFormatter={(v) => `${v} s`}
          contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" }}
        />
        <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
        {memory.series.flatMap((s) => [
          <Line
            key={`${s.kind}-rss`}
            dataKey={`${s.kind}-rss`}
            name={`${KIND_LABELS[s.kind]} RSS`}
            stroke={KIND_COLORS[s.kind]}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />,
          <Line
            key={`${s.kind}-pss`}
            dataKey={`${s.kind}-pss`}
            name={`${KIND_LABELS[s.kind]} PSS`}
            stroke={KIND_COLORS[s.kind]}
            strokeDasharray="5 3"
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />,
        ])}
      </LineChart>
      <p className="small" data-testid="warm-memory-arrival" style={{ margin: "0.3rem 0 0" }}>
        {arrivalText(memory)}
      </p>
    </figure>
  );
}
