import { z } from "zod";
import { commonPlanFields, uniqueList } from "@/lib/experiments/plan-fields";

// The hostile-image plan; a member of ExperimentPlanSchema (lib/schemas/experiment.ts).

/** Where the hostile probe runs: a confined container (the default), a privileged one, a VM. */
export const HOSTILE_TARGETS = ["container", "container-privileged", "vm"] as const;
export type HostileTarget = (typeof HOSTILE_TARGETS)[number];

const { image, memoryMiB, cpus } = commonPlanFields;

export const HostilePlanSchema = z
  .object({
    type: z.literal("hostile"),
    image,
    memoryMiB,
    cpus,
    targets: uniqueList(HOSTILE_TARGETS, "target").default([...HOSTILE_TARGETS]),
  })
  .strict();

export type HostilePlan = z.output<typeof HostilePlanSchema>;
