import { formatMs } from "@/lib/core/format";

// Display of experiment numbers: every value with its unit, ratios with ×.

/** A ratio to a baseline: "1.05×"; "—" when there is none. */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return "—";
  if (r >= 100) return `${r.toFixed(0)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

const SI = [
  { at: 1e9, suffix: "G" },
  { at: 1e6, suffix: "M" },
  { at: 1e3, suffix: "k" },
];

/** A measured value in its unit: "597.6 M ops/s", "28,341 MB/s", "196 ns/call". */
export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (unit === "ms") return formatMs(v);
  if (unit === "ops/s") {
    const s = SI.find((x) => Math.abs(v) >= x.at);
    return s ? `${(v / s.at).toFixed(1)} ${s.suffix} ${unit}` : `${v.toFixed(0)} ${unit}`;
  }
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

/** How to read a ratio, said beside it. */
export function directionNote(direction: "higher" | "lower"): string {
  return direction === "higher" ? "higher is better; ratio < 1× is a slowdown" : "lower is better; ratio > 1× is a slowdown";
}

/** Host CPU of an idle window; a reading under one clock tick is "< resolution", never a bare 0. */
export function formatIdleCpu(cpuPercent: number, resolutionPercent: number): string {
  // A cgroup counts nanoseconds: below display precision its resolution says nothing.
  if (cpuPercent < resolutionPercent && resolutionPercent >= 0.005) return `< ${formatValue(resolutionPercent, "%")}`;
  return formatValue(cpuPercent, "%");
}
