import { z } from "zod";
import { EXPERIMENT_STATUSES, STARTUP_KINDS, WORKLOADS } from "@/lib/experiments/types";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { DensityPlanSchema, IsolationPlanSchema } from "./experiment-capacity";
import { CPUS, MEMORY_MIB } from "./instance";

// Experiment plans: shared by POST /api/experiments, the form on
// /experiments and `npm run experiment`, so all three refuse the same input.

export const STARTUP_RUNS = { min: 1, max: 50, default: 5 } as const;
export const OVERHEAD_REPS = { min: 1, max: 20, default: 3 } as const;
export const IDLE_SECONDS = { min: 1, max: 60, default: 5 } as const;
/** How long a startup run watches a cold and a restored VM's host memory (0: not at all; the page asks for 60). */
export const MEMORY_WATCH_SECONDS = { min: 0, max: 120, default: 0, page: 60 } as const;

function uniqueList<T extends string>(values: readonly [T, ...T[]], what: string) {
  return z
    .array(z.enum(values))
    .min(1, `choose at least one ${what}`)
    .refine((xs) => new Set(xs).size === xs.length, `each ${what} at most once`);
}

const common = {
  kinds: uniqueList(INSTANCE_KINDS, "kind").default([...INSTANCE_KINDS]),
  image: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "not a valid image name").default("probe"),
  memoryMiB: z.number().int().min(MEMORY_MIB.min).max(MEMORY_MIB.max).default(MEMORY_MIB.default),
  cpus: z.number().int().min(CPUS.min).max(CPUS.max).default(CPUS.default),
};

export const StartupPlanSchema = z
  .object({
    type: z.literal("startup"),
    runs: z.number().int().min(STARTUP_RUNS.min).max(STARTUP_RUNS.max).default(STARTUP_RUNS.default),
    ...common,
    /** `vm-warm`: a VM restored from its template snapshot, beside the cold-booted `vm`. */
    kinds: uniqueList(STARTUP_KINDS, "kind").default([...STARTUP_KINDS]),
    /** One unrecorded start per kind first: page cache and accelerator probe settle before measuring. */
    warmup: z.boolean().default(true),
    /** After the runs, one cold and one restored VM side by side, their host memory read once a second (needs vm and vm-warm). */
    memorySeconds: z.number().int().min(MEMORY_WATCH_SECONDS.min).max(MEMORY_WATCH_SECONDS.max).default(MEMORY_WATCH_SECONDS.default),
  })
  .strict();

export const OverheadPlanSchema = z
  .object({
    type: z.literal("overhead"),
    reps: z.number().int().min(OVERHEAD_REPS.min).max(OVERHEAD_REPS.max).default(OVERHEAD_REPS.default),
    ...common,
    workloads: uniqueList(WORKLOADS, "workload").default([...WORKLOADS]),
    idleSeconds: z.number().int().min(IDLE_SECONDS.min).max(IDLE_SECONDS.max).default(IDLE_SECONDS.default),
  })
  .strict();

export const ExperimentPlanSchema = z.discriminatedUnion("type", [StartupPlanSchema, OverheadPlanSchema, IsolationPlanSchema, DensityPlanSchema]);

export type StartupPlan = z.output<typeof StartupPlanSchema>;
export type OverheadPlan = z.output<typeof OverheadPlanSchema>;
export type ExperimentPlan = z.output<typeof ExperimentPlanSchema>;
export type ExperimentPlanInput = z.input<typeof ExperimentPlanSchema>;

export const ExperimentIdSchema = z.string().regex(/^x[0-9a-f]{10}$/, "not an experiment id");

/** `?format=csv|json` on GET /api/experiments/:id; without it the record is answered inline. */
export const ExportQuerySchema = z.object({ format: z.enum(["csv", "json"]).optional() }).strict();

export const ExperimentStatusSchema = z.enum(EXPERIMENT_STATUSES);
