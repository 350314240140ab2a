import type { Reading } from "@/lib/schemas/fleet";

/** One figure from Prometheus, or why it is missing; `source` names the metric it came from. */
export function ReadingText({ reading, format, source }: { reading: Reading; format: (v: number) => string; source: string }) {
  if ("error" in reading) {
    return (
      <span className="muted" title={`${source}: ${reading.error}`}>
        — <span className="small">({reading.error})</span>
      </span>
    );
  }
  return <span title={`from Prometheus: ${source}`}>{format(reading.value)}</span>;
}
