import { formatBytes } from "@/lib/core/format";
import type { Accel } from "@/lib/core/types";

// Host memory of a cold-booted and a restored VM over their first seconds
// (the startup experiment's memory watch). Whether a restored guest's memory
// arrives all at once or page by page as the guest touches it depends on how
// the state is loaded, so it is read from the samples, not assumed.

export type WatchedKind = "vm" | "vm-warm";

export interface MemoryPoint {
  /** Seconds since the instance was ready. */
  tS: number;
  pssBytes: number;
  rssBytes: number;
}

export interface MemorySeries {
  kind: WatchedKind;
  accel?: Accel;
  points: MemoryPoint[];
  firstRssBytes: number;
  lastRssBytes: number;
  peakRssBytes: number;
  firstPssBytes: number;
  lastPssBytes: number;
}

export interface WarmMemoryResult {
  /** How long each VM was watched. */
  seconds: number;
  series: MemorySeries[];
  /**
   * For the restored VM: its RSS at the first reading as a share of its RSS
   * at the end, and what that says — "all-at-once" when ≥ 90 % was resident
   * from the start, "as-touched" when it grew into most of it later.
   */
  warmArrival: { firstFraction: number; verdict: "all-at-once" | "as-touched" } | null;
  /** vm-warm last PSS − vm last PSS, bytes; positive when the restored VM holds more. */
  warmMinusColdPssBytes: number | null;
}

export const ALL_AT_ONCE_FRACTION = 0.9;

/** Values keys of a `memory` sample. */
export interface MemorySampleValues {
  t_s: number;
  pss_bytes: number;
  rss_bytes: number;
}

export function arrivalVerdict(firstRss: number, lastRss: number): WarmMemoryResult["warmArrival"] {
  if (!(lastRss > 0)) return null;
  const firstFraction = firstRss / lastRss;
  return { firstFraction, verdict: firstFraction >= ALL_AT_ONCE_FRACTION ? "all-at-once" : "as-touched" };
}

export function memorySeries(kind: WatchedKind, points: MemoryPoint[], accel?: Accel): MemorySeries | null {
  if (points.length === 0) return null;
  const sorted = [...points].sort((a, b) => a.tS - b.tS);
  const first = sorted[0];
  const last = sorted.at(-1)!;
  return {
    kind,
    ...(accel ? { accel } : {}),
    points: sorted,
    firstRssBytes: first.rssBytes,
    lastRssBytes: last.rssBytes,
    peakRssBytes: Math.max(...sorted.map((p) => p.rssBytes)),
    firstPssBytes: first.pssBytes,
    lastPssBytes: last.pssBytes,
  };
}

/** Both series from raw readings; null unless at least one VM was watched. */
export function summarizeWarmMemory(readings: readonly { kind: WatchedKind; accel?: Accel; values: Partial<MemorySampleValues> }[]): WarmMemoryResult | null {
  const series: MemorySeries[] = [];
  for (const kind of ["vm", "vm-warm"] as const) {
    const mine = readings.filter((r) => r.kind === kind);
    const points = mine
      .filter((r) => Number.isFinite(r.values.t_s) && Number.isFinite(r.values.pss_bytes) && Number.isFinite(r.values.rss_bytes))
      .map((r) => ({ tS: r.values.t_s!, pssBytes: r.values.pss_bytes!, rssBytes: r.values.rss_bytes! }));
    const s = memorySeries(kind, points, mine.find((r) => r.accel)?.accel);
    if (s) series.push(s);
  }
  if (series.length === 0) return null;
  const warm = series.find((s) => s.kind === "vm-warm");
  const cold = series.find((s) => s.kind === "vm");
  return {
    seconds: Math.max(...series.map((s) => s.points.at(-1)!.tS)),
    series,
    warmArrival: warm ? arrivalVerdict(warm.firstRssBytes, warm.lastRssBytes) : null,
    warmMinusColdPssBytes: warm && cold ? warm.lastPssBytes - cold.lastPssBytes : null,
  };
}

/** One sentence on how the restored VM's memory arrived, measured. */
export function arrivalText(m: WarmMemoryResult): string {
  const warm = m.series.find((s) => s.kind === "vm-warm");
  if (!warm || !m.warmArrival) return "";
  const pct = Math.round(m.warmArrival.firstFraction * 100);
  const how = m.warmArrival.verdict === "all-at-once" ? "its memory arrived all at once, while the state loaded" : "its memory arrived as the guest touched it";
  const cold = m.series.find((s) => s.kind === "vm");
  const vs = cold
    ? ` A cold-booted VM held ${formatBytes(cold.lastRssBytes)} (PSS ${formatBytes(cold.lastPssBytes)}) at the end, the restored one PSS ${formatBytes(warm.lastPssBytes)}.`
    : "";
  return `The restored VM held ${formatBytes(warm.firstRssBytes)} resident at its first reading and ${formatBytes(warm.lastRssBytes)} after ${m.seconds} s (${pct} % from the start): ${how}.${vs}`;
}
