import { z } from "zod";

// The planner form's input (lib/experiments/planner.ts), validated the same way
// in the browser and in tests.

export const PlannerInputSchema = z
  .object({
    hostGiB: z.number().min(1, "at least 1 GiB").max(65536, "at most 64 TiB"),
    workloadMiB: z.number().min(1, "at least 1 MiB").max(1_048_576),
    containerOverheadMiB: z.number().min(0, "cannot be negative").max(65536),
    vmOverheadMiB: z.number().min(0, "cannot be negative").max(65536),
    appsPerVm: z.number().int("a whole number").min(1).max(64),
    /** Templated VMs: the template's RAM file, paid once per host (0 for cold VMs), MiB. */
    templateMiB: z.number().min(0, "cannot be negative").max(65536).default(0),
  })
  .strict();

export type PlannerInputValues = z.output<typeof PlannerInputSchema>;
