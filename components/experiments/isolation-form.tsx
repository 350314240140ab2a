"use client";
import { useState, type FormEvent } from "react";
import { useStartExperiment } from "@/client/use-experiments";
import { CALM_SECONDS, ISOLATION_LIMIT_MIB, ISOLATION_UNLIMITED_MIB, ISOLATION_VM_MIB, IsolationPlanSchema } from "@/lib/experiments/isolation/schema";
import { ExperimentFormFooter } from "./form-footer";
import { NumberField } from "@/components/ui/number-field";

// Starts a memory isolation run (server/experiments/isolation.ts); the same
// schema as the API refuses bad input here first.

export function IsolationForm() {
  const start = useStartExperiment();
  const [limitMiB, setLimit] = useState<number>(ISOLATION_LIMIT_MIB.default);
  const [vmMiB, setVm] = useState<number>(ISOLATION_VM_MIB.default);
  const [unlimitedMiB, setUnlimited] = useState<number>(ISOLATION_UNLIMITED_MIB.default);
  const [calmSeconds, setCalm] = useState<number>(CALM_SECONDS.default);
  const [formError, setFormError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = IsolationPlanSchema.safeParse({ type: "isolation", limitMiB, vmMiB, unlimitedMiB, calmSeconds });
    if (!parsed.success) return setFormError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    setFormError(null);
    start.mutate(parsed.data, { onSuccess: (r) => setStarted(r.id) });
  }

  return (
    <form className="panel stack" onSubmit={submit} aria-label="Plan a memory isolation run" noValidate>
      <h2 style={{ margin: 0 }}>Memory isolation</h2>
      <p className="small muted" style={{ margin: 0 }}>
        A neighbour of each kind measures its latency throughout while three hogs, one after another, allocate twice what they were given: a container with a
        memory limit, a VM, and a container with no limit at all — which Isolab caps itself and never lets take the host below its reserve. About 30 s.
      </p>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <NumberField label="Container limit" unit="MiB" range={ISOLATION_LIMIT_MIB} value={limitMiB} onChange={setLimit} />
        <NumberField label="VM memory" unit="MiB" range={ISOLATION_VM_MIB} value={vmMiB} onChange={setVm} />
        <NumberField label="Unlimited hog takes" unit="MiB" range={ISOLATION_UNLIMITED_MIB} value={unlimitedMiB} onChange={setUnlimited} />
        <NumberField label="Quiet before/after" unit="s" range={CALM_SECONDS} value={calmSeconds} onChange={setCalm} />
      </div>
      <ExperimentFormFooter label="Start isolation run" pending={start.isPending} started={started} error={formError ?? start.error?.message} />
    </form>
  );
}
