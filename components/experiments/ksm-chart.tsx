"use client";
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { KIND_COLORS } from "./labels";

// Memory KSM saved (MiB, left axis) and pages_sharing (pages, right axis)
// over the seconds since KSM was turned on, with the VMs' summed PSS for
// scale. Data through props; nothing here fetches.

export interface KsmChartPoint {
  tS: number;
  savedMiB: number;
  pagesSharing: number;
  pssMiB: number;
}

export interface KsmChartProps {
  points: KsmChartPoint[];
  /** Where each line comes from, in words, under the chart. */
  source: string;
  height?: number;
}

const AXIS = { stroke: "var(--muted)", fontSize: 11 } as const;
const TOOLTIP = { background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" } as const;
const SAVED = "#2b8a3e";

export function KsmChart({ points, source, height = 260 }: KsmChartProps) {
  const last = points[points.length - 1];
  const description = last
    ? `After ${last.tS.toFixed(0)} s of KSM: ${last.savedMiB.toFixed(1)} MiB saved, ${last.pagesSharing} pages sharing, the VMs' PSS ${last.pssMiB.toFixed(0)} MiB`
    : "No reading while KSM ran";
  if (!last) return <p className="muted small">{description}.</p>;
  return (
    <figure className="chart" role="img" aria-label={description} data-testid="ksm-chart" data-points={points.length}>
      <figcaption className="small">
        <strong>Memory saved by KSM over time</strong> <span className="muted">(MiB and pages vs seconds since KSM was turned on)</span>
      </figcaption>
      <LineChart responsive data={points} style={{ width: "100%", height }} margin={{ top: 8, right: 8, bottom: 28, left: 8 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        <XAxis
          dataKey="tS"
          type="number"
          domain={[0, "dataMax"]}
          label={{ value: "seconds since KSM on", position: "insideBottom", offset: -16, fill: "var(--muted)", fontSize: 11 }}
          {...AXIS}
        />
        <YAxis yAxisId="mib" width={52} label={{ value: "MiB", angle: -90, position: "insideLeft", fill: "var(--muted)", fontSize: 11 }} {...AXIS} />
        <YAxis
          yAxisId="pages"
          orientation="right"
          width={64}
          allowDecimals={false}
          label={{ value: "pages", angle: 90, position: "insideRight", fill: "var(--muted)", fontSize: 11 }}
          {...AXIS}
        />
        <Tooltip
          labelFormatter={(t) => `${t} s`}
          formatter={(v, name) => [name === "pages_sharing" ? `${v} pages` : `${Number(v).toFixed(1)} MiB`, name]}
          contentStyle={TOOLTIP}
        />
        <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
        <Line yAxisId="mib" dataKey="savedMiB" name="saved" stroke={SAVED} strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line
          yAxisId="mib"
          dataKey="pssMiB"
          name="VMs' PSS"
          stroke={KIND_COLORS.vm}
          strokeDasharray="6 3"
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          yAxisId="pages"
          dataKey="pagesSharing"
          name="pages_sharing"
          stroke="var(--muted)"
          strokeDasharray="2 3"
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
      <p className="muted small" style={{ margin: "0.3rem 0 0" }}>
        {source}
      </p>
    </figure>
  );
}
