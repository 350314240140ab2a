/** A line of [ms, value] points with no axes: the shape of the last minutes, the number is beside it. */
export function Sparkline({ points, label }: { points: [number, number][]; label: string }) {
  if (points.length < 2) return null;
  const [w, h] = [160, 28];
  const ts = points.map((p) => p[0]);
  const vs = points.map((p) => p[1]);
  const [t0, t1, v0, v1] = [Math.min(...ts), Math.max(...ts), Math.min(...vs), Math.max(...vs)];
  const x = (t: number) => ((t - t0) / (t1 - t0 || 1)) * w;
  const y = (v: number) => h - ((v - v0) / (v1 - v0 || 1)) * (h - 2) - 1;
  const d = points.map(([t, v], i) => `${i ? "L" : "M"}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join("");
  return (
    <svg width={w} height={h} role="img" aria-label={label} style={{ display: "block" }}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth={1.2} />
    </svg>
  );
}
