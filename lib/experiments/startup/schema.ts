import { z } from "zod";
import { DEFAULT_STARTUP_KINDS, STARTUP_KINDS } from "@/lib/experiments/types";
import { commonPlanFields, intIn, uniqueList } from "@/lib/experiments/plan-fields";

// The startup plan; a member of ExperimentPlanSchema (lib/schemas/experiment.ts).

export const STARTUP_RUNS = { min: 1, max: 50, default: 5 } as const;
/** How long a startup run watches a cold and a restored VM's host memory (0: not at all; the page asks for 60). */
export const MEMORY_WATCH_SECONDS = { min: 0, max: 120, default: 0, page: 60 } as const;

export const StartupPlanSchema = z
  .object({
    type: z.literal("startup"),
    runs: intIn(STARTUP_RUNS).default(STARTUP_RUNS.default),
    ...commonPlanFields,
    /**
     * `vm-warm`: a VM restored from its template snapshot, beside the cold-booted `vm`;
     * `vm-template` a clone of its shared-memory template; `vm-pooled` one the pool started ahead.
     */
    kinds: uniqueList(STARTUP_KINDS, "kind").default([...DEFAULT_STARTUP_KINDS]),
    /** One unrecorded start per kind first: page cache and accelerator probe settle before measuring. */
    warmup: z.boolean().default(true),
    /** After the runs, one cold and one restored VM side by side, their host memory read once a second (needs vm and vm-warm). */
    memorySeconds: intIn(MEMORY_WATCH_SECONDS).default(MEMORY_WATCH_SECONDS.default),
  })
  .strict();

export type StartupPlan = z.output<typeof StartupPlanSchema>;
