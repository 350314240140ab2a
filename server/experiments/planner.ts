import "server-only";
import os from "node:os";
import { plannerDefaults } from "@/lib/experiments/density/planner-defaults";
import type { PlannerInputValues } from "@/lib/schemas/planner";
import { getExperimentRunner } from "./index";

/** The planner page's starting values: the newest finished density run's overheads on this host's memory. */
export function plannerStart(): { defaults: PlannerInputValues; source: string } {
  const latest = getExperimentRunner()
    .list()
    .find((x) => x.type === "density" && x.status === "done" && x.result?.type === "density");
  const result = latest?.result?.type === "density" ? latest.result : null;
  const defaults = plannerDefaults(result, os.totalmem());
  const source = latest
    ? `Overheads measured by density run ${latest.id} (${new Date(latest.finishedAt ?? latest.createdAt).toLocaleString()}); host memory: this host's. Change any number.`
    : "No density run has measured overheads here yet: the overheads are the ones measured on Isolab's development host (TCG). Run one on /experiments, or type your own.";
  return { defaults, source };
}
