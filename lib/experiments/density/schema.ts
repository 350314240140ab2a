import { z } from "zod";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { commonPlanFields, intIn, uniqueList } from "@/lib/experiments/plan-fields";

// The density plan; a member of ExperimentPlanSchema (lib/schemas/experiment.ts).

export const DENSITY_MAX = { min: 1, max: 64, default: 10 } as const;
export const DENSITY_SETTLE_MS = { min: 0, max: 10_000, default: 1000 } as const;
export const DENSITY_CPU_WINDOW_MS = { min: 200, max: 10_000, default: 1000 } as const;

const { image, memoryMiB, cpus } = commonPlanFields;

export const DensityPlanSchema = z
  .object({
    type: z.literal("density"),
    kinds: uniqueList(INSTANCE_KINDS, "kind").default(["container", "vm"]),
    image,
    memoryMiB,
    cpus,
    /** Instances per kind at most. */
    max: intIn(DENSITY_MAX).default(DENSITY_MAX.default),
    /** VMs at most, when lower than `max` (a TCG VM boots in seconds, a container in milliseconds). */
    maxVm: intIn(DENSITY_MAX).optional(),
    /** Host memory this run may take per kind, MiB; the host's reserve applies in any case. */
    budgetMiB: z.number().int().min(64).max(1_048_576).optional(),
    /** Wait after each start before measuring, so a guest's boot-time allocations settle. */
    settleMs: intIn(DENSITY_SETTLE_MS).default(DENSITY_SETTLE_MS.default),
    /** Window over which the instances' CPU is measured at each step. */
    cpuWindowMs: intIn(DENSITY_CPU_WINDOW_MS).default(DENSITY_CPU_WINDOW_MS.default),
  })
  .strict();

export type DensityPlan = z.output<typeof DensityPlanSchema>;
