// Least-squares line through (x, y) points: the marginal cost of one more
// instance is the slope of host memory (or CPU) against the instance count.
// Pure; degenerate inputs give null, never NaN or Infinity.

export interface Point {
  x: number;
  y: number;
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination; null when every y is the same (nothing to explain). */
  r2: number | null;
  n: number;
}

/** null with fewer than two finite points or fewer than two distinct x values. */
export function linearFit(points: readonly Point[]): LinearFit | null {
  const ps = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const n = ps.length;
  if (n < 2) return null;
  const mx = ps.reduce((a, p) => a + p.x, 0) / n;
  const my = ps.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of ps) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? null : Math.max(0, Math.min(1, (sxy * sxy) / (sxx * syy)));
  return { slope, intercept, r2, n };
}

/** How many more units of `per` fit in `budget`; null when per is not a positive finite number. */
export function howManyFit(budget: number, per: number): number | null {
  if (!Number.isFinite(budget) || !Number.isFinite(per) || per <= 0) return null;
  return Math.max(0, Math.floor(budget / per));
}
