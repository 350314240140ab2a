import { samplesDownloadUrl } from "@/lib/metrics/samples";

/** CSV and JSON of the samples behind a chart, over the window shown; id null for the host's. */
export function DownloadLinks({ id, name, windowS }: { id: string | null; name: string; windowS: number }) {
  return (
    <span className="downloads small">
      Download {windowS / 60} min:{" "}
      <a href={samplesDownloadUrl(id, windowS, "csv")} download={`${name}-${windowS}s.csv`} aria-label={`Download samples of ${name} as CSV`}>
        CSV
      </a>{" "}
      ·{" "}
      <a href={samplesDownloadUrl(id, windowS, "json")} download={`${name}-${windowS}s.json`} aria-label={`Download samples of ${name} as JSON`}>
        JSON
      </a>
    </span>
  );
}
