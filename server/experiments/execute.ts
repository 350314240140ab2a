import "server-only";
import { summarizeExperiment } from "@/lib/experiments/registry";
import type { ExperimentEnvironment, ExperimentStatus } from "@/lib/experiments/types";
import type { ExperimentPlan } from "@/lib/schemas/experiment";
import { errorMessage, RunContext } from "./context";
import type { RunnerDeps } from "./deps";
import { runExperiment } from "./registry";

// One run from start to verdict: environment, its type's run function,
// cleanup, summary, and every state change written to the store. The queue
// around it is runner.ts.

/** Why a run stopped early; the verdict it leaves in the store. */
export class Stop extends Error {
  constructor(
    readonly status: "cancelled" | "interrupted",
    message: string,
  ) {
    super(message);
  }
}

/** Runs one experiment until it is done, failed or stopped through `signal` (with a Stop as reason); never throws. */
export async function executeRun(deps: RunnerDeps, id: string, plan: ExperimentPlan, signal: AbortSignal, publish: () => void): Promise<void> {
  const { store, clock } = deps;
  let ctx: RunContext | undefined;
  let environment: ExperimentEnvironment | undefined;
  let status: ExperimentStatus = "done";
  let error: string | null = null;
  try {
    environment = await deps.captureEnvironment();
    store.markRunning(id, clock.wallTime(), environment);
    publish();
    const supervisor = await deps.supervisor();
    ctx = new RunContext(
      id,
      plan,
      signal,
      clock,
      supervisor,
      deps.readHostUsage,
      (s) => store.addSample(id, s),
      (p) => {
        store.setProgress(id, p);
        publish();
      },
    );
    await runExperiment(plan.type, ctx, deps);
  } catch (err) {
    const stop = signal.aborted ? signal.reason : undefined;
    status = stop instanceof Stop ? stop.status : "failed";
    error = stop instanceof Stop ? stop.message : errorMessage(err);
  } finally {
    const problems = (await ctx?.cleanup()) ?? [];
    if (problems.length) {
      status = status === "done" ? "failed" : status;
      error = [error, `could not remove: ${problems.join("; ")}`].filter(Boolean).join("; ");
    }
  }
  try {
    const result = ctx ? summarizeExperiment(plan.type, plan, ctx.samples, ctx.skipped) : null;
    // Only a VM's reading carries an accelerator (a KSM run's host readings carry their VMs').
    if (environment && ctx?.samples.some((s) => s.accel)) {
      store.setEnvironment(id, await withAccelerator(deps, environment, ctx.samples.find((s) => s.accel)!.accel!));
    }
    store.finish(id, { status, finishedAt: clock.wallTime(), result, error });
  } catch (err) {
    store.finish(id, { status: "failed", finishedAt: clock.wallTime(), error: `could not summarize: ${errorMessage(err)}` });
  }
}

/** The accelerator the VMs actually used, with the engine's reason when it knows one. */
async function withAccelerator(deps: RunnerDeps, env: ExperimentEnvironment, accel: "kvm" | "tcg"): Promise<ExperimentEnvironment> {
  const fresh = await deps.captureEnvironment().catch(() => env);
  const known = fresh.host.accelerator;
  const reason = known?.accel === accel ? known.reason : "reported by the VM engine for this run's instances";
  return { ...env, accelerator: { accel, reason } };
}
