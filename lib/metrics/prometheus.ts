// Prometheus text exposition format 0.0.4, pure: families in, text out.
// https://prometheus.io/docs/instrumenting/exposition_formats/

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSample {
  /** A histogram's series carry a suffix: `_bucket` (with an `le` label), `_sum`, `_count`. */
  suffix?: "_bucket" | "_sum" | "_count";
  /** Labels with an undefined or empty value are left out (Prometheus treats empty as absent). */
  labels?: Record<string, string | undefined>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: MetricSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text: backslash and line feed are escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Label values: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function formatLabels(labels: Record<string, string | undefined> | undefined): string {
  if (!labels) return "";
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (value === undefined || value === "") continue;
    if (!LABEL_NAME.test(name) || name.startsWith("__")) throw new Error(`invalid label name "${name}"`);
    parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** One text body for every family; throws on an invalid name or a repeated series, which a scraper would reject. */
export function formatExposition(families: MetricFamily[]): string {
  const seenFamilies = new Set<string>();
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name "${f.name}"`);
    if (seenFamilies.has(f.name)) throw new Error(`metric family "${f.name}" appears twice`);
    seenFamilies.add(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const seenSeries = new Set<string>();
    for (const s of f.samples) {
      if ((f.type === "histogram") !== (s.suffix !== undefined)) throw new Error(`series of ${f.type} "${f.name}" ${s.suffix ? "has" : "lacks"} a suffix`);
      const series = `${f.name}${s.suffix ?? ""}${formatLabels(s.labels)}`;
      if (seenSeries.has(series)) throw new Error(`series ${series} appears twice`);
      seenSeries.add(series);
      lines.push(`${series} ${formatValue(s.value)}`);
    }
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}
