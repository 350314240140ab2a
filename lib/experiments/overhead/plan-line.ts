import { storedPlan } from "@/lib/experiments/stored-plan";

// How an overhead plan is described on the run page (`planLine`) and in the list (`planShort`). Pure.

export function overheadPlanLine(p: Record<string, unknown>): string {
  return `${p.reps} repetitions of ${storedPlan(p).list("workloads").join(", ")}, idle window ${p.idleSeconds} s`;
}

export function overheadPlanShort(p: Record<string, unknown>): string {
  return `${p.reps} reps`;
}
