import { formatRatio } from "@/lib/experiments/format";
import { formatCount, formatMiB } from "@/lib/experiments/density/headline";
import type { DensityResult } from "@/lib/experiments/density/types";
import type { IsolationResult } from "@/lib/experiments/isolation/types";
import { HOG_LABELS } from "@/lib/experiments/isolation/types";
import { formatLatencyUs } from "@/lib/experiments/isolation/verdicts";
import { ratio } from "@/lib/core/stats";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { KIND_LABELS } from "./labels";

// Two density or two isolation runs side by side: the headline numbers of
// each, B over A where a ratio means something.

export function DensityCompare({ a, b }: { a: DensityResult; b: DensityResult }) {
  const kinds = INSTANCE_KINDS.filter((k) => a.kinds.some((x) => x.kind === k) || b.kinds.some((x) => x.kind === k));
  const of = (r: DensityResult, k: string) => r.kinds.find((x) => x.kind === k);
  return (
    <table className="xp-table" aria-label="Density compared">
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Marginal memory A</th>
          <th scope="col">Marginal memory B</th>
          <th scope="col">B / A</th>
          <th scope="col">Fits A</th>
          <th scope="col">Fits B</th>
        </tr>
      </thead>
      <tbody>
        {kinds.map((k) => (
          <tr key={k}>
            <th scope="row">{KIND_LABELS[k]}</th>
            <td>{formatMiB(of(a, k)?.marginal.chosenMiB)}</td>
            <td>{formatMiB(of(b, k)?.marginal.chosenMiB)}</td>
            <td>{formatRatio(ratio(of(b, k)?.marginal.chosenMiB ?? undefined, of(a, k)?.marginal.chosenMiB ?? undefined))}</td>
            <td>{formatCount(of(a, k)?.fits.count ?? null)}</td>
            <td>{formatCount(of(b, k)?.fits.count ?? null)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">VM / container</th>
          <td>{formatRatio(a.ratioVmToContainer)}</td>
          <td>{formatRatio(b.ratioVmToContainer)}</td>
          <td colSpan={3} />
        </tr>
      </tbody>
    </table>
  );
}

export function IsolationCompare({ a, b }: { a: IsolationResult; b: IsolationResult }) {
  const hogs = [...new Set([...a.hogs, ...b.hogs].map((h) => h.hog))];
  const verdict = (r: IsolationResult, hog: string) => r.verdicts.find((v) => v.hog === hog)?.outcome ?? "—";
  const p99 = (r: IsolationResult, hog: string) => {
    const worst = Math.max(...r.neighbours.map((n) => n.perPhase[hog as keyof typeof n.perPhase]?.p99Us ?? NaN).filter(Number.isFinite));
    return Number.isFinite(worst) ? formatLatencyUs(worst) : "—";
  };
  return (
    <table className="xp-table" aria-label="Isolation compared">
      <thead>
        <tr>
          <th scope="col">Hog</th>
          <th scope="col">A</th>
          <th scope="col">B</th>
          <th scope="col">Worst neighbour p99 A</th>
          <th scope="col">Worst neighbour p99 B</th>
        </tr>
      </thead>
      <tbody>
        {hogs.map((h) => (
          <tr key={h}>
            <th scope="row">{HOG_LABELS[h]}</th>
            <td>{verdict(a, h)}</td>
            <td>{verdict(b, h)}</td>
            <td>{p99(a, h)}</td>
            <td>{p99(b, h)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
