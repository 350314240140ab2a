import { z } from "zod";
import { INSTANCE_KINDS } from "@/lib/core/types";

/** What a density run packs: the three kinds, and VMs cloned from a shared-memory template (kind vm, startMode template). */
export const DENSITY_KINDS = [...INSTANCE_KINDS, "vm-template"] as const;
export type DensityKind = (typeof DENSITY_KINDS)[number];
import { commonPlanFields, intIn, uniqueList } from "@/lib/experiments/plan-fields";

// The density plan; a member of ExperimentPlanSchema (lib/schemas/experiment.ts).

/** Containers cost about a MiB each and start in tens of milliseconds: hundreds are a measurement, not a risk. */
export const DENSITY_MAX = { min: 1, max: 500, default: 10 } as const;
/** A VM costs its guest RAM and boots in seconds under TCG: VMs keep a lower bound whatever `max` says. */
export const DENSITY_MAX_VM = { min: 1, max: 64 } as const;
/** Up to this many instances, `schedule` defaults to measuring after each one. */
export const DENSITY_EACH_UP_TO = 20;
export const DENSITY_SCHEDULES = ["each", "geometric"] as const;
export type DensitySchedule = (typeof DENSITY_SCHEDULES)[number];
export const DENSITY_SETTLE_MS = { min: 0, max: 10_000, default: 1000 } as const;
export const DENSITY_CPU_WINDOW_MS = { min: 200, max: 10_000, default: 1000 } as const;

const { image, memoryMiB, cpus } = commonPlanFields;

export const DensityPlanSchema = z
  .object({
    type: z.literal("density"),
    kinds: uniqueList(DENSITY_KINDS, "kind").default(["container", "vm"]),
    image,
    memoryMiB,
    cpus,
    /** Instances per kind at most. */
    max: intIn(DENSITY_MAX).default(DENSITY_MAX.default),
    /** VMs at most, when lower than `max` (a TCG VM boots in seconds, a container in milliseconds); never above DENSITY_MAX_VM.max. */
    maxVm: intIn(DENSITY_MAX_VM).optional(),
    /**
     * When to measure: after each instance (settle + CPU window every time), or
     * geometrically, after 1, 2, 5, 10, 20, 50, 100, 200, 500 and the last,
     * starting the instances in between back to back. Default: each up to
     * DENSITY_EACH_UP_TO instances, geometric above.
     */
    schedule: z.enum(DENSITY_SCHEDULES).optional(),
    /**
     * Host memory this run may take per kind, MiB; the host's reserve applies in any case.
     * With a budget the run also checks itself: once half the budget is used it predicts
     * how many instances the budget holds, then starts instances until it is used.
     */
    budgetMiB: z.number().int().min(64).max(1_048_576).optional(),
    /** Wait after each start before measuring, so a guest's boot-time allocations settle. */
    settleMs: intIn(DENSITY_SETTLE_MS).default(DENSITY_SETTLE_MS.default),
    /** Window over which the instances' CPU is measured at each step. */
    cpuWindowMs: intIn(DENSITY_CPU_WINDOW_MS).default(DENSITY_CPU_WINDOW_MS.default),
  })
  .strict();

export type DensityPlan = z.output<typeof DensityPlanSchema>;
