import "server-only";
import os from "node:os";
import { plannerDefaults, templatePlan, type TemplatePlan } from "@/lib/experiments/density/planner-defaults";
import type { ExperimentRecord } from "@/lib/experiments/types";
import { ExperimentIdSchema } from "@/lib/schemas/experiment";
import type { PlannerInputValues } from "@/lib/schemas/planner";
import type { App } from "@/server/app/create-app";

// What the experiment pages read from the app's runner.

/** The record for a page, or undefined for an id that is malformed or unknown (the page answers 404). */
export function findExperiment(app: App, id: string): ExperimentRecord | undefined {
  if (!ExperimentIdSchema.safeParse(id).success) return undefined;
  return app.runner.find(id);
}

/** The planner page's starting values: the newest finished density run's overheads on this host's memory. */
export function plannerStart(app: App): { defaults: PlannerInputValues; template: TemplatePlan; source: string } {
  const latest = app.runner.list().find((x) => x.type === "density" && x.status === "done" && x.result?.type === "density");
  const result = latest?.result?.type === "density" ? latest.result : null;
  const defaults = plannerDefaults(result, os.totalmem());
  const source = latest
    ? `Overheads measured by density run ${latest.id} (${new Date(latest.finishedAt ?? latest.createdAt).toLocaleString()}); host memory: this host's. Change any number.`
    : "No density run has measured overheads here yet: the overheads are the ones measured on Isolab's development host (TCG). Run one on /experiments, or type your own.";
  // Templated VMs as a planner mode only once a density run has measured their clones.
  return { defaults, source, template: templatePlan(result, os.totalmem()) };
}
