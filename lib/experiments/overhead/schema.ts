import { z } from "zod";
import { WORKLOADS } from "@/lib/experiments/types";
import { commonPlanFields, intIn, uniqueList } from "@/lib/experiments/plan-fields";

// The overhead plan; a member of ExperimentPlanSchema (lib/schemas/experiment.ts).

export const OVERHEAD_REPS = { min: 1, max: 20, default: 3 } as const;
export const IDLE_SECONDS = { min: 1, max: 60, default: 5 } as const;

export const OverheadPlanSchema = z
  .object({
    type: z.literal("overhead"),
    reps: intIn(OVERHEAD_REPS).default(OVERHEAD_REPS.default),
    ...commonPlanFields,
    workloads: uniqueList(WORKLOADS, "workload").default([...WORKLOADS]),
    idleSeconds: intIn(IDLE_SECONDS).default(IDLE_SECONDS.default),
  })
  .strict();

export type OverheadPlan = z.output<typeof OverheadPlanSchema>;
