"use client";
import { useState, type FormEvent } from "react";
import { useStartExperiment } from "@/client/use-experiments";
import { HostilePlanSchema } from "@/lib/experiments/hostile/schema";
import { ExperimentFormFooter } from "./form-footer";

// Starts a hostile-image run (server/experiments/hostile.ts); the API's schema refuses bad input here first.

export function HostileForm() {
  const start = useStartExperiment();
  const [formError, setFormError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = HostilePlanSchema.safeParse({ type: "hostile" });
    if (!parsed.success) return setFormError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    setFormError(null);
    start.mutate(parsed.data, { onSuccess: (r) => setStarted(r.id) });
  }

  return (
    <form className="panel stack" onSubmit={submit} aria-label="Plan a hostile-image run" noValidate>
      <h2 style={{ margin: 0 }}>Hostile image</h2>
      <p className="small muted" style={{ margin: 0 }}>
        What a hostile image can do from a confined container, a privileged one and a VM: mount, a user namespace, keyctl, ptrace of a host process, a /proc/sys
        write, a module load, a setuid escalation — side by side. About 10 s plus a VM boot.
      </p>
      <ExperimentFormFooter label="Run hostile image" pending={start.isPending} started={started} error={formError ?? start.error?.message} />
    </form>
  );
}
