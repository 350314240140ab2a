import { storedPlan } from "@/lib/experiments/stored-plan";
import { TARGET_LABELS } from "./types";
import type { HostileTarget } from "./schema";

// How a hostile plan is described on the run page and in the list. Pure.

export function hostilePlanLine(p: Record<string, unknown>): string {
  const targets = storedPlan(p).list("targets") as HostileTarget[];
  return `probe hostile in ${targets.map((t) => TARGET_LABELS[t] ?? t).join(", ")}`;
}

export function hostilePlanShort(p: Record<string, unknown>): string {
  return `${storedPlan(p).list("targets").length} targets`;
}
