import { storedPlan } from "@/lib/experiments/stored-plan";

/** One line describing a density plan, for the run page and the experiments list. Pure. */
export function densityPlanLine(p: Record<string, unknown>): string {
  const { n } = storedPlan(p);
  const vm = n("maxVm");
  const budget = n("budgetMiB");
  const schedule = typeof p.schedule === "string" ? `, measured ${p.schedule === "each" ? "after each" : "geometrically"}` : "";
  return `up to ${n("max")} per kind${vm !== undefined ? ` (VMs ${vm})` : ""}${budget !== undefined ? `, budget ${budget} MiB` : ""}${schedule}`;
}
