// Order statistics for experiment summaries. Pure; inputs are never mutated.
// Percentiles interpolate linearly between closest ranks (Hyndman & Fan
// type 7, numpy's default), so p0 = min, p50 = median, p100 = max.

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

function sorted(xs: readonly number[]): number[] {
  return xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
}

/** p in 0..100; NaN for an empty input. */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function mean(xs: readonly number[]): number {
  const s = sorted(xs);
  return s.length === 0 ? NaN : s.reduce((a, b) => a + b, 0) / s.length;
}

/** Non-finite values (a failed run's NaN) are left out and not counted. */
export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  return {
    n: s.length,
    min: s.length ? s[0] : NaN,
    median: median(s),
    p95: percentile(s, 95),
    max: s.length ? s[s.length - 1] : NaN,
    mean: mean(s),
  };
}

/** a / b, or null when either side is missing or b is zero: a ratio is never invented. */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

export interface CdfPoint {
  value: number;
  /** Fraction of samples ≤ value, in (0, 1]. */
  fraction: number;
}

/** Empirical CDF: one step per sample, ties collapsed to their highest fraction. */
export function empiricalCdf(xs: readonly number[]): CdfPoint[] {
  const s = sorted(xs);
  const out: CdfPoint[] = [];
  s.forEach((value, i) => {
    const fraction = (i + 1) / s.length;
    if (out.length && out[out.length - 1].value === value) out[out.length - 1].fraction = fraction;
    else out.push({ value, fraction });
  });
  return out;
}
