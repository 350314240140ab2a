import type { MetricSample } from "./prometheus";

// Cumulative histograms, pure. Startup times are exposed as one so that
// quantiles aggregate across hosts: Prometheus sums the buckets of every
// host (sum by (le, kind) (rate(..._bucket[…]))) before histogram_quantile,
// which a per-instance gauge could never give.

/**
 * Upper bounds in seconds: containers start in ~10–100 ms (runc run + READY),
 * warm VMs in ~50–200 ms, cold VMs in ~0.3–5 s (KVM) and more under TCG.
 */
export const STARTUP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30] as const;

export interface Histogram {
  /** Upper bounds, ascending, +Inf implied. */
  bounds: readonly number[];
  /** counts[i]: observations ≤ bounds[i], not cumulative; counts[bounds.length] is the +Inf overflow. */
  counts: number[];
  sum: number;
  count: number;
}

export function emptyHistogram(bounds: readonly number[]): Histogram {
  for (let i = 1; i < bounds.length; i++) if (!(bounds[i] > bounds[i - 1])) throw new Error("histogram bounds must ascend");
  return { bounds, counts: new Array(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

/** Records one value in place; a value that is not a finite number ≥ 0 is ignored (it would poison _sum). */
export function observe(h: Histogram, value: number): void {
  if (!Number.isFinite(value) || value < 0) return;
  let i = h.bounds.findIndex((b) => value <= b);
  if (i < 0) i = h.bounds.length;
  h.counts[i]++;
  h.sum += value;
  h.count++;
}

const formatBound = (b: number) => (b === Infinity ? "+Inf" : String(b));

/** The `_bucket` (cumulative, with `le`), `_sum` and `_count` series of one labelled histogram. */
export function histogramSamples(h: Histogram, labels: Record<string, string | undefined> = {}): MetricSample[] {
  let cumulative = 0;
  const buckets = [...h.bounds, Infinity].map((b, i): MetricSample => {
    cumulative += h.counts[i];
    return { suffix: "_bucket", labels: { ...labels, le: formatBound(b) }, value: cumulative };
  });
  return [...buckets, { suffix: "_sum", labels, value: h.sum }, { suffix: "_count", labels, value: h.count }];
}
