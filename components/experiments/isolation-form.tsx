"use client";
import { useState, type FormEvent } from "react";
import { useStartExperiment } from "@/client/use-experiments";
import { CALM_SECONDS, ISOLATION_LIMIT_MIB, ISOLATION_UNLIMITED_MIB, ISOLATION_VM_MIB, IsolationPlanSchema } from "@/lib/experiments/isolation/schema";
import { ExperimentFormFooter } from "./form-footer";

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
        A neighbour of each kind measures its latency throughout while three hogs, one after another, allocate twice what they were given: a container with a memory limit, a VM, and a container with no limit
        at all — which Isolab caps itself and never lets take the host below its reserve. About 30 s.
      </p>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <label>
          Container limit (MiB)
          <input type="number" min={ISOLATION_LIMIT_MIB.min} max={ISOLATION_LIMIT_MIB.max} value={limitMiB} onChange={(e) => setLimit(Number(e.target.value))} />
        </label>
        <label>
          VM memory (MiB)
          <input type="number" min={ISOLATION_VM_MIB.min} max={ISOLATION_VM_MIB.max} value={vmMiB} onChange={(e) => setVm(Number(e.target.value))} />
        </label>
        <label>
          Unlimited hog takes (MiB)
          <input type="number" min={ISOLATION_UNLIMITED_MIB.min} max={ISOLATION_UNLIMITED_MIB.max} value={unlimitedMiB} onChange={(e) => setUnlimited(Number(e.target.value))} />
        </label>
        <label>
          Quiet before/after (s)
          <input type="number" min={CALM_SECONDS.min} max={CALM_SECONDS.max} value={calmSeconds} onChange={(e) => setCalm(Number(e.target.value))} />
        </label>
      </div>
      <ExperimentFormFooter label="Start isolation run" pending={start.isPending} started={started} error={formError ?? start.error?.message} />
    </form>
  );
}
