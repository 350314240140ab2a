"use client";
import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import type { HogSeries, IsolationSeries } from "@/lib/experiments/isolation/series";
import { KIND_COLORS, KIND_DASH, KIND_LABELS } from "./labels";

// The isolation run's charts, all on one time axis (seconds since the
// timeline started): each hog's memory against its own limit line, the
// host's available memory against its reserve, and the neighbours' latency.
// Phases are shaded and OOM events marked on every chart. Data comes in
// through props (computed on the server); nothing here fetches.

export interface IsolationChartsProps {
  series: IsolationSeries;
}

const AXIS = { stroke: "var(--muted)", fontSize: 11 } as const;
const TOOLTIP = { background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" } as const;
const HOG_COLOR = { "container-limited": KIND_COLORS.container, vm: KIND_COLORS.vm, "container-unlimited": "#d9480f" } as const;

function timeAxis(durationS: number) {
  return (
    <XAxis
      dataKey="t"
      type="number"
      domain={[0, Math.max(1, Math.ceil(durationS))]}
      allowDataOverflow
      tickFormatter={(v: number) => `${v} s`}
      label={{ value: "time since the timeline started (s)", position: "insideBottom", offset: -16, fill: "var(--muted)", fontSize: 11 }}
      {...AXIS}
    />
  );
}

/** Shaded phases and dashed event lines, shared by every chart so they line up. */
function marks(series: IsolationSeries, only?: string) {
  return [
    ...series.phases
      .filter((p) => p.id !== "before" && p.id !== "after" && (!only || p.id === only))
      .map((p) => <ReferenceArea key={`ph-${p.id}`} x1={p.startS} x2={p.endS} fill="var(--accent)" fillOpacity={0.07} ifOverflow="hidden" />),
    ...series.events
      .filter((e) => !only || e.hog === only)
      .map((e, i) => (
        <ReferenceLine
          key={`ev-${i}`}
          x={e.t}
          stroke="var(--danger)"
          strokeDasharray="4 3"
          label={{
            value: e.label.startsWith("OOM") ? "OOM kill" : e.label.startsWith("stopped") ? "guard" : "",
            position: "insideTopLeft",
            fill: "var(--danger)",
            fontSize: 10,
          }}
        />
      )),
  ];
}

function HogChart({ hog, series }: { hog: HogSeries; series: IsolationSeries }) {
  const peak = Math.max(0, ...hog.host.map((p) => p.v), ...hog.touched.map((p) => p.v));
  const top = Math.max(peak, hog.limitMiB ?? 0) * 1.15 || 1;
  const events = series.events.filter((e) => e.hog === hog.hog);
  const description = `${hog.label}: host memory up to ${peak.toFixed(0)} MiB${hog.limitMiB !== null ? ` against its ${hog.limitMiB.toFixed(0)} MiB ${hog.limitLabel}` : ""}${events.length ? `; ${events.map((e) => `${e.label} at ${e.t.toFixed(1)} s`).join("; ")}` : ""}`;
  return (
    <figure className="chart" role="img" aria-label={description} data-testid={`hog-chart-${hog.hog}`} data-points={hog.host.length}>
      <figcaption className="small">
        <strong>{hog.label}</strong> <span className="muted">(MiB; {hog.kind === "vm" ? "QEMU RSS on the host" : "cgroup usage on the host"})</span>
      </figcaption>
      <LineChart responsive style={{ width: "100%", height: 200 }} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        {timeAxis(series.durationS)}
        <YAxis type="number" domain={[0, Math.ceil(top)]} width={52} tickFormatter={(v: number) => v.toFixed(0)} {...AXIS} />
        <Tooltip labelFormatter={(t) => `${Number(t).toFixed(2)} s`} formatter={(v) => `${Number(v).toFixed(1)} MiB`} contentStyle={TOOLTIP} />
        <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
        {marks(series, hog.hog)}
        {hog.limitMiB !== null && (
          <ReferenceLine
            y={hog.limitMiB}
            stroke="var(--text)"
            strokeDasharray="6 3"
            label={{ value: `${hog.limitLabel} ${hog.limitMiB.toFixed(0)} MiB`, position: "insideTopRight", fill: "var(--text)", fontSize: 11 }}
          />
        )}
        <Line
          data={hog.host}
          dataKey="v"
          name={hog.kind === "vm" ? "QEMU RSS" : "cgroup usage"}
          stroke={HOG_COLOR[hog.hog]}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
        {hog.guestRam.length > 0 && (
          <Line
            data={hog.guestRam}
            dataKey="v"
            name="guest RAM resident"
            stroke={KIND_COLORS.vm}
            strokeDasharray="2 3"
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
          />
        )}
        <Line
          data={hog.touched}
          dataKey="v"
          name="touched by the hog (its own count)"
          stroke="var(--muted)"
          strokeDasharray="8 3"
          strokeWidth={1.5}
          dot={{ r: 1.5 }}
          isAnimationActive={false}
        />
      </LineChart>
    </figure>
  );
}

function HostChart({ series }: IsolationChartsProps) {
  const values = series.available.map((p) => p.v);
  const lo = Math.min(...values, series.reserveGiB ?? Infinity);
  const hi = Math.max(...values);
  const description = `Host MemAvailable from ${values[0]?.toFixed(1) ?? "?"} GiB, lowest ${Math.min(...values).toFixed(1)} GiB, against a reserve of ${series.reserveGiB?.toFixed(1) ?? "?"} GiB`;
  return (
    <figure className="chart" role="img" aria-label={description} data-testid="host-memory-chart" data-points={series.available.length}>
      <figcaption className="small">
        <strong>Host memory available</strong> <span className="muted">(GiB, /proc/meminfo MemAvailable; dashed: the reserve Isolab keeps free)</span>
      </figcaption>
      <LineChart responsive data={series.available} style={{ width: "100%", height: 200 }} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        {timeAxis(series.durationS)}
        <YAxis
          type="number"
          domain={[Math.max(0, Math.floor(lo - 0.5)), Math.ceil(hi + 0.25)]}
          width={52}
          tickFormatter={(v: number) => v.toFixed(1)}
          {...AXIS}
        />
        <Tooltip labelFormatter={(t) => `${Number(t).toFixed(2)} s`} formatter={(v) => `${Number(v).toFixed(2)} GiB`} contentStyle={TOOLTIP} />
        {marks(series)}
        {series.reserveGiB !== null && (
          <ReferenceLine
            y={series.reserveGiB}
            stroke="var(--danger)"
            strokeDasharray="6 3"
            label={{ value: "reserve", position: "insideBottomRight", fill: "var(--danger)", fontSize: 11 }}
          />
        )}
        <Line dataKey="v" name="MemAvailable" stroke="var(--accent)" strokeWidth={2} dot={false} isAnimationActive={false} />
      </LineChart>
    </figure>
  );
}

function LatencyChart({ series }: IsolationChartsProps) {
  // A log axis cannot show 0: an oversleep under 10 µs is drawn at 10 µs.
  const rows = series.latency.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === "t" ? v : Math.max(0.01, v as number)])));
  const description = `Neighbours' worst oversleep per half second: ${series.latencyKinds.map((k) => `${KIND_LABELS[k]} up to ${Math.max(...series.latency.map((r) => r[k] ?? 0)).toFixed(2)} ms`).join("; ")}`;
  return (
    <figure className="chart" role="img" aria-label={description} data-testid="latency-chart" data-points={series.latency.length}>
      <figcaption className="small">
        <strong>Neighbours&apos; latency</strong>{" "}
        <span className="muted">
          (worst oversleep per 0.5 s, ms, log axis; <code>probe latency</code> in each neighbour)
        </span>
      </figcaption>
      <LineChart responsive data={rows} style={{ width: "100%", height: 220 }} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
        {timeAxis(series.durationS)}
        <YAxis
          type="number"
          scale="log"
          domain={[0.01, "auto"]}
          allowDataOverflow
          width={52}
          tickFormatter={(v: number) => (v >= 1 ? v.toFixed(0) : v.toFixed(2))}
          {...AXIS}
        />
        <Tooltip labelFormatter={(t) => `${Number(t).toFixed(2)} s`} formatter={(v) => `${Number(v).toFixed(2)} ms`} contentStyle={TOOLTIP} />
        <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
        {marks(series)}
        {series.latencyKinds.map((k) => (
          <Line
            key={k}
            dataKey={k}
            name={KIND_LABELS[k]}
            stroke={KIND_COLORS[k]}
            strokeDasharray={KIND_DASH[k]}
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
        ))}
      </LineChart>
    </figure>
  );
}

export function IsolationCharts({ series }: IsolationChartsProps) {
  if (series.available.length < 2)
    return (
      <div className="chart-empty muted" style={{ height: 120 }}>
        No timeline was recorded.
      </div>
    );
  return (
    <div className="stack" data-testid="isolation-charts">
      <div className="grid-3 iso-hogs">
        {series.hogs.map((h) => (
          <HogChart key={h.hog} hog={h} series={series} />
        ))}
      </div>
      <div className="grid-2">
        <HostChart series={series} />
        <LatencyChart series={series} />
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        Shaded: while a hog ran. Red dashes: an OOM kill or Isolab&apos;s guard stopping a hog, at the moment Isolab saw it.
      </p>
    </div>
  );
}
