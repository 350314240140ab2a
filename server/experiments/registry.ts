import "server-only";
import type { PlanOf } from "@/lib/experiments/registry";
import type { ExperimentType } from "@/lib/experiments/types";
import type { RunContext } from "./context";
import type { RunnerDeps } from "./deps";
import { runDensity } from "./density";
import { runHostile } from "./hostile";
import { runIsolation } from "./isolation";
import { runKsm } from "./ksm";
import { runOverhead } from "./overhead";
import { runStartup } from "./startup";

// How each experiment type runs, registered once; everything else about a
// type (plan, summary, text) is in lib/experiments/registry.ts.

type Run<K extends ExperimentType> = (ctx: RunContext<PlanOf<K>>, deps: RunnerDeps) => Promise<void>;

const RUNS: { [K in ExperimentType]: Run<K> } = {
  startup: (ctx, deps) => runStartup(ctx, deps.readMemory),
  overhead: (ctx) => runOverhead(ctx),
  isolation: (ctx, deps) => runIsolation(ctx, deps.hostProbes),
  density: (ctx, deps) => runDensity(ctx, deps.hostProbes),
  hostile: (ctx) => runHostile(ctx),
  ksm: (ctx, deps) => {
    if (!deps.ksm) throw new Error("this runner was built without KSM access (RunnerDeps.ksm)");
    return runKsm(ctx, deps.ksm);
  },
};

/** Runs the plan of `ctx` with its type's run function; samples and skipped kinds land in `ctx`. */
export function runExperiment<K extends ExperimentType>(type: K, ctx: RunContext<PlanOf<K>>, deps: RunnerDeps): Promise<void> {
  return RUNS[type](ctx, deps);
}
