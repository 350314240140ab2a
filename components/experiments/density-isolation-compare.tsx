import { formatRatio } from "@/lib/experiments/format";
import { formatCount, formatMiB } from "@/lib/experiments/density/headline";
import type { DensityResult } from "@/lib/experiments/density/types";
import type { IsolationResult } from "@/lib/experiments/isolation/types";
import { HOG_LABELS } from "@/lib/experiments/isolation/types";
import type { IsolationHog } from "@/lib/experiments/isolation/schema";
import { formatLatencyUs } from "@/lib/experiments/isolation/verdicts";
import { ratio } from "@/lib/core/stats";
import { INSTANCE_KINDS, type InstanceKind } from "@/lib/core/types";
import { ResultTable } from "@/components/ui/result-table";
import { KIND_LABELS } from "./labels";

// Two density or two isolation runs side by side: the headline numbers of
// each, B over A where a ratio means something.

export function DensityCompare({ a, b }: { a: DensityResult; b: DensityResult }) {
  const kinds = INSTANCE_KINDS.filter((k) => a.kinds.some((x) => x.kind === k) || b.kinds.some((x) => x.kind === k));
  const of = (r: DensityResult, k: InstanceKind) => r.kinds.find((x) => x.kind === k);
  const marginal = (r: DensityResult, k: InstanceKind) => of(r, k)?.marginal.chosenMiB ?? undefined;
  return (
    <ResultTable
      label="Density compared"
      rows={kinds}
      rowKey={(k) => k}
      columns={[
        { header: "Kind", rowHeader: true, cell: (k) => KIND_LABELS[k] },
        { header: "Marginal memory A", numeric: true, cell: (k) => formatMiB(marginal(a, k)) },
        { header: "Marginal memory B", numeric: true, cell: (k) => formatMiB(marginal(b, k)) },
        { header: "B / A", numeric: true, cell: (k) => formatRatio(ratio(marginal(b, k), marginal(a, k))) },
        { header: "Fits A", numeric: true, cell: (k) => formatCount(of(a, k)?.fits.count ?? null) },
        { header: "Fits B", numeric: true, cell: (k) => formatCount(of(b, k)?.fits.count ?? null) },
      ]}
      extraRows={
        <tr>
          <th scope="row">VM / container</th>
          <td>{formatRatio(a.ratioVmToContainer)}</td>
          <td>{formatRatio(b.ratioVmToContainer)}</td>
          <td colSpan={3} />
        </tr>
      }
    />
  );
}

export function IsolationCompare({ a, b }: { a: IsolationResult; b: IsolationResult }) {
  const hogs = [...new Set([...a.hogs, ...b.hogs].map((h) => h.hog))];
  const verdict = (r: IsolationResult, hog: IsolationHog) => r.verdicts.find((v) => v.hog === hog)?.outcome ?? "—";
  const p99 = (r: IsolationResult, hog: IsolationHog) => {
    const worst = Math.max(...r.neighbours.map((n) => n.perPhase[hog]?.p99Us ?? NaN).filter(Number.isFinite));
    return Number.isFinite(worst) ? formatLatencyUs(worst) : "—";
  };
  return (
    <ResultTable
      label="Isolation compared"
      rows={hogs}
      rowKey={(h) => h}
      columns={[
        { header: "Hog", rowHeader: true, cell: (h) => HOG_LABELS[h] },
        { header: "A", cell: (h) => verdict(a, h) },
        { header: "B", cell: (h) => verdict(b, h) },
        { header: "Worst neighbour p99 A", numeric: true, cell: (h) => p99(a, h) },
        { header: "Worst neighbour p99 B", numeric: true, cell: (h) => p99(b, h) },
      ]}
    />
  );
}
