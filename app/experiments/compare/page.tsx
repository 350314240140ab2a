import Link from "next/link";
import { CompareTable } from "@/components/experiments/compare-table";
import { ExperimentDetail } from "@/components/experiments/experiment-detail";
import { getApp } from "@/server/app";
import { findExperiment } from "@/server/services/experiments";

export const dynamic = "force-dynamic";

type Search = Promise<{ a?: string | string[]; b?: string | string[] }>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function ComparePage({ searchParams }: { searchParams: Search }) {
  const q = await searchParams;
  const app = await getApp();
  const [a, b] = [findExperiment(app, one(q.a)), findExperiment(app, one(q.b))];
  if (!a || !b) {
    return (
      <div className="panel stack" role="alert">
        <h2 style={{ margin: 0 }}>Pick two experiments to compare</h2>
        <p className="muted">
          {!a && `“${one(q.a) || "a"}” is not a stored experiment. `}
          {!b && `“${one(q.b) || "b"}” is not a stored experiment.`}
        </p>
        <Link href="/experiments">Choose from the list</Link>
      </div>
    );
  }
  return (
    <div className="stack">
      <section className="panel stack" aria-label="Comparison">
        <h2 style={{ margin: 0 }}>
          Comparing <span className="mono">{a.id}</span> (A) and <span className="mono">{b.id}</span> (B)
        </h2>
        <CompareTable a={a} b={b} />
      </section>
      <div className="grid-2">
        <ExperimentDetail record={a} compact />
        <ExperimentDetail record={b} compact />
      </div>
      <Link href="/experiments">← All experiments</Link>
    </div>
  );
}
