import "server-only";
import os from "node:os";
import { plannerFigures, templatePlan, type PlannerFigures, type TemplatePlan } from "@/lib/experiments/density/planner-defaults";
import type { ExperimentRecord } from "@/lib/experiments/types";
import { ExperimentIdSchema } from "@/lib/schemas/experiment";
import type { App } from "@/server/app/create-app";

// What the experiment pages read from the app's runner.

/** The record for a page, or undefined for an id that is malformed or unknown (the page answers 404). */
export function findExperiment(app: App, id: string): ExperimentRecord | undefined {
  if (!ExperimentIdSchema.safeParse(id).success) return undefined;
  return app.runner.find(id);
}

/**
 * The planner page's starting figures: the newest finished density run's
 * overheads (only the kinds it measured), this host's MemTotal, and the
 * templated mode from the same run; without a run, the overheads are empty.
 */
export function plannerStart(app: App): { figures: PlannerFigures; template: TemplatePlan } {
  const latest = app.runner.list().find((x) => x.type === "density" && x.status === "done" && x.result?.type === "density");
  const run =
    latest?.result?.type === "density"
      ? { result: latest.result, label: `density run ${latest.id} (${new Date(latest.finishedAt ?? latest.createdAt).toLocaleString()})` }
      : null;
  return { figures: plannerFigures(run, os.totalmem()), template: templatePlan(run) };
}
