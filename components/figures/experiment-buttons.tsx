"use client";
import Link from "next/link";
import { useStartExperiment } from "@/client/use-experiments";
import { useCan } from "@/client/use-me";
import type { ExperimentPlanInput } from "@/lib/schemas/experiment";

/** Small plans: enough for Figure 2.2's numbers in well under a minute here. */
export const SYSCALL_PLAN: ExperimentPlanInput = { type: "overhead", workloads: ["syscall"], reps: 3, idleSeconds: 1 };
export const STARTUP_PLAN: ExperimentPlanInput = { type: "startup", runs: 3 };
/** Enough steps for a marginal-memory fit per kind: 10 containers, 3 TCG VMs. */
export const DENSITY_PLAN: ExperimentPlanInput = { type: "density", kinds: ["container", "vm"], max: 10, maxVm: 3 };

/** Buttons that each queue one plan, with a link to follow the run and the server's refusal if any. */
function ExperimentStarter({ busy, plans }: { busy: boolean; plans: { label: string; plan: ExperimentPlanInput }[] }) {
  const start = useStartExperiment();
  const canOperate = useCan("operator");
  if (!canOperate) return null;
  return (
    <>
      {plans.map(({ label, plan }) => (
        <button key={label} type="button" onClick={() => start.mutate(plan)} disabled={busy || start.isPending}>
          {label}
        </button>
      ))}
      {start.data && (
        <Link href={`/experiments/${start.data.id}`} className="small">
          follow {start.data.id}
        </Link>
      )}
      {start.error && (
        <span className="error small" role="alert">
          {start.error.message}
        </span>
      )}
    </>
  );
}

/** Queues the experiments Figure 2.2 reads; progress shows in the figure and on /experiments. */
export function ExperimentButtons({ busy }: { busy: boolean }) {
  return (
    <ExperimentStarter
      busy={busy}
      plans={[
        { label: "Run a syscall overhead experiment", plan: SYSCALL_PLAN },
        { label: "Run a startup experiment", plan: STARTUP_PLAN },
      ]}
    />
  );
}

/** Queues a density run, whose marginal memory per kind then sizes "room for N more" in Figure 2.1. */
export function DensityButton({ busy }: { busy: boolean }) {
  return <ExperimentStarter busy={busy} plans={[{ label: "Run the density experiment", plan: DENSITY_PLAN }]} />;
}
