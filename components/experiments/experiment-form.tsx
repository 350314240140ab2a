"use client";
import { useState, type FormEvent } from "react";
import { useStartExperiment } from "@/client/use-experiments";
import { DEFAULT_STARTUP_KINDS, STARTUP_KINDS, WORKLOADS, type ExperimentType, type StartupKind, type Workload } from "@/lib/experiments/types";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { IDLE_SECONDS, OVERHEAD_REPS } from "@/lib/experiments/overhead/schema";
import { MEMORY_WATCH_SECONDS, STARTUP_RUNS } from "@/lib/experiments/startup/schema";
import { CPUS, MEMORY_MIB } from "@/lib/schemas/instance";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { KIND_LABELS } from "./labels";
import { ExperimentFormFooter } from "./form-footer";
import { NumberField } from "@/components/ui/number-field";

type FormType = Extract<ExperimentType, "startup" | "overhead">;
const TYPE_LABELS: Record<FormType, string> = { startup: "Startup time", overhead: "Runtime overhead" };
const WORKLOAD_LABELS: Record<Workload, string> = { cpu: "CPU", stream: "Memory bandwidth (STREAM)", syscall: "System calls", io: "File I/O" };

function toggle<T>(list: T[], item: T, on: boolean): T[] {
  return on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
}

/** Plans and starts an experiment; the same schema as the API refuses bad input here first. */
export function ExperimentForm() {
  const start = useStartExperiment();
  const [type, setType] = useState<FormType>("startup");
  const [runs, setRuns] = useState<number>(STARTUP_RUNS.default);
  const [reps, setReps] = useState<number>(OVERHEAD_REPS.default);
  const [warmup, setWarmup] = useState(true);
  const [idleSeconds, setIdle] = useState<number>(IDLE_SECONDS.default);
  // Startup also offers vm-warm (a VM restored from its template snapshot); overhead runs the three kinds.
  const [kinds, setKinds] = useState<StartupKind[]>([...DEFAULT_STARTUP_KINDS]);
  const [memorySeconds, setMemorySeconds] = useState<number>(MEMORY_WATCH_SECONDS.page);
  const [workloads, setWorkloads] = useState<Workload[]>([...WORKLOADS]);
  const [memoryMiB, setMemory] = useState<number>(MEMORY_MIB.default);
  const [cpus, setCpus] = useState<number>(CPUS.default);
  const [formError, setFormError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  const watchesMemory = kinds.includes("vm") && kinds.includes("vm-warm");

  function submit(e: FormEvent) {
    e.preventDefault();
    // Kinds and workloads keep the canonical order whatever order they were ticked in.
    const common = { memoryMiB, cpus };
    const plan =
      type === "startup"
        ? { type, runs, warmup, kinds: STARTUP_KINDS.filter((k) => kinds.includes(k)), memorySeconds: watchesMemory ? memorySeconds : 0, ...common }
        : {
            type,
            reps,
            idleSeconds,
            workloads: WORKLOADS.filter((w) => workloads.includes(w)),
            kinds: INSTANCE_KINDS.filter((k) => kinds.includes(k)),
            ...common,
          };
    const parsed = ExperimentPlanSchema.safeParse(plan);
    if (!parsed.success) {
      setFormError(parsed.error.issues.map((i) => `${i.path.join(".") || "plan"}: ${i.message}`).join("; "));
      return;
    }
    setFormError(null);
    start.mutate(parsed.data, { onSuccess: (r) => setStarted(r.id) });
  }

  return (
    <form className="panel stack" onSubmit={submit} aria-label="Plan an experiment" noValidate>
      <h2 style={{ margin: 0 }}>New experiment</h2>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <label>
          Experiment
          <select value={type} onChange={(e) => setType(e.target.value as FormType)}>
            {(Object.keys(TYPE_LABELS) as FormType[]).map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        {type === "startup" ? (
          <>
            <NumberField label="Runs per kind" range={STARTUP_RUNS} value={runs} onChange={setRuns} />
            <label className="xp-inline">
              <input type="checkbox" checked={warmup} onChange={(e) => setWarmup(e.target.checked)} />
              One unrecorded warm-up start per kind
            </label>
            {watchesMemory && (
              <NumberField
                label="Memory watch"
                unit="s"
                hint="After the runs, a cold and a restored VM run side by side and their host memory is read once a second (0: skip)"
                range={MEMORY_WATCH_SECONDS}
                value={memorySeconds}
                onChange={setMemorySeconds}
              />
            )}
          </>
        ) : (
          <>
            <NumberField label="Repetitions per workload" range={OVERHEAD_REPS} value={reps} onChange={setReps} />
            <NumberField label="Idle window" unit="s" range={IDLE_SECONDS} value={idleSeconds} onChange={setIdle} />
          </>
        )}
        <NumberField label="Memory" unit="MiB" range={MEMORY_MIB} value={memoryMiB} onChange={setMemory} />
        <NumberField label="CPUs" range={CPUS} value={cpus} onChange={setCpus} />
      </div>
      <fieldset className="row xp-fieldset">
        <legend>Kinds</legend>
        {(type === "startup" ? STARTUP_KINDS : INSTANCE_KINDS).map((k) => (
          <label key={k} className="xp-inline">
            <input type="checkbox" checked={kinds.includes(k)} onChange={(e) => setKinds(toggle(kinds, k, e.target.checked))} />
            {KIND_LABELS[k]}
          </label>
        ))}
      </fieldset>
      {type === "overhead" && (
        <fieldset className="row xp-fieldset">
          <legend>Workloads</legend>
          {WORKLOADS.map((w) => (
            <label key={w} className="xp-inline">
              <input type="checkbox" checked={workloads.includes(w)} onChange={(e) => setWorkloads(toggle(workloads, w, e.target.checked))} />
              {WORKLOAD_LABELS[w]}
            </label>
          ))}
        </fieldset>
      )}
      <p className="small muted" style={{ margin: 0 }}>
        One experiment runs at a time; a second one waits in the queue. Instances it starts are removed when it ends or is cancelled.
      </p>
      <ExperimentFormFooter label="Start experiment" pending={start.isPending} started={started} error={formError ?? start.error?.message} />
    </form>
  );
}
