"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useStartExperiment } from "@/client/use-experiments";
import { DENSITY_MAX, DENSITY_MAX_VM, DensityPlanSchema } from "@/lib/experiments/density/schema";
import { MEMORY_MIB } from "@/lib/schemas/instance";
import { INSTANCE_KINDS, type InstanceKind } from "@/lib/core/types";
import { KIND_LABELS } from "./labels";
import { ExperimentFormFooter } from "./form-footer";
import { NumberField } from "@/components/ui/number-field";

// Starts a density run (server/experiments/density.ts); the same schema as
// the API refuses bad input here first.

export function DensityForm() {
  const start = useStartExperiment();
  const [max, setMax] = useState<number>(DENSITY_MAX.default);
  const [maxVm, setMaxVm] = useState<string>("");
  const [budgetMiB, setBudget] = useState<string>("");
  const [memoryMiB, setMemory] = useState<number>(MEMORY_MIB.default);
  const [kinds, setKinds] = useState<InstanceKind[]>(["container", "vm"]);
  const [formError, setFormError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const plan = {
      type: "density",
      kinds: INSTANCE_KINDS.filter((k) => kinds.includes(k)),
      max,
      memoryMiB,
      ...(maxVm !== "" ? { maxVm: Number(maxVm) } : {}),
      ...(budgetMiB !== "" ? { budgetMiB: Number(budgetMiB) } : {}),
    };
    const parsed = DensityPlanSchema.safeParse(plan);
    if (!parsed.success) return setFormError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    setFormError(null);
    start.mutate(parsed.data, { onSuccess: (r) => setStarted(r.id) });
  }

  return (
    <form id="plan-density" className="panel stack" onSubmit={submit} aria-label="Plan a density run" noValidate>
      <h2 style={{ margin: 0 }}>Density and capacity</h2>
      <p className="small muted" style={{ margin: 0 }}>
        Starts one more idle instance at a time, per kind, and measures what each one adds to the host&apos;s memory and CPU, until the count, the budget,
        Isolab&apos;s caps or the host&apos;s reserve says stop. Then: how many fit on this host. <Link href="/experiments/planner">Capacity planner</Link>
      </p>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <NumberField label="Instances per kind" range={DENSITY_MAX} value={max} onChange={setMax} />
        <NumberField label="VMs at most" optional range={DENSITY_MAX_VM} value={maxVm} placeholder="same" onChange={(_, text) => setMaxVm(text)} />
        <NumberField label="Memory budget" unit="MiB" optional min={64} value={budgetMiB} placeholder="reserve only" onChange={(_, text) => setBudget(text)} />
        <NumberField label="Instance memory" unit="MiB" range={MEMORY_MIB} value={memoryMiB} onChange={setMemory} />
      </div>
      <fieldset className="row xp-fieldset">
        <legend>Kinds</legend>
        {INSTANCE_KINDS.map((k) => (
          <label key={k} className="xp-inline">
            <input type="checkbox" checked={kinds.includes(k)} onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))} />
            {KIND_LABELS[k]}
          </label>
        ))}
      </fieldset>
      <ExperimentFormFooter label="Start density run" pending={start.isPending} started={started} error={formError ?? start.error?.message} />
    </form>
  );
}
