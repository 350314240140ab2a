"use client";
import { useWindowS } from "@/components/metrics/window-context";
import { useInstances } from "@/client/use-instances";
import { useSamplesSnapshot } from "@/client/use-samples";
import { kindTotals } from "@/lib/metrics/samples";
import type { InstanceKind } from "@/lib/core/types";
import { InstanceCard } from "./instance-card";
import { KindTotal } from "./kind-total";

const COLUMNS: { kind: InstanceKind; title: string; blurb: string }[] = [
  { kind: "process", title: "Bare process", blurb: "The probe runs directly on the host: no isolation, no overhead." },
  { kind: "container", title: "Containers", blurb: "Own namespaces and cgroup, the host's kernel." },
  { kind: "vm", title: "Virtual machines", blurb: "Own kernel and memory, under QEMU." },
];

export function InstanceBoard() {
  const { data, error, isLoading } = useInstances();
  const snapshot = useSamplesSnapshot(useWindowS());
  if (isLoading)
    return (
      <div className="panel" aria-busy="true">
        Loading instances…
      </div>
    );
  if (error)
    return (
      <div className="panel error" role="alert">
        Could not list instances: {error.message}
      </div>
    );
  const instances = data ?? [];
  const totals = kindTotals(instances, snapshot.data?.latest ?? {});
  return (
    <div className="grid-3">
      {COLUMNS.map((col) => {
        const mine = instances.filter((i) => i.kind === col.kind);
        return (
          <section key={col.kind} className="panel stack" aria-labelledby={`col-${col.kind}`}>
            <h2 id={`col-${col.kind}`} className="kind-title" style={{ ["--kind-color" as string]: `var(--kind-${col.kind})` }}>
              {col.title} <span className="muted small">({mine.length})</span>
            </h2>
            <p className="muted small" style={{ margin: 0 }}>
              {col.blurb}
            </p>
            <KindTotal total={totals[col.kind]} label={col.title} />
            {mine.length === 0 ? <p className="muted small">None yet — launch one above.</p> : mine.map((i) => <InstanceCard key={i.id} instance={i} />)}
          </section>
        );
      })}
    </div>
  );
}
