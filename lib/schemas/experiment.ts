import { z } from "zod";
import { PLAN_SCHEMAS } from "@/lib/experiments/registry";
import { EXPERIMENT_STATUSES } from "@/lib/experiments/types";

// Experiment plans: shared by POST /api/experiments, the form on
// /experiments and `npm run experiment`, so all three refuse the same input.
// Each type's schema lives in its folder under lib/experiments/.

export const ExperimentPlanSchema = z.discriminatedUnion("type", PLAN_SCHEMAS);

export type ExperimentPlan = z.output<typeof ExperimentPlanSchema>;
export type ExperimentPlanInput = z.input<typeof ExperimentPlanSchema>;

export const ExperimentIdSchema = z.string().regex(/^x[0-9a-f]{10}$/, "not an experiment id");

/** `?format=csv|json` on GET /api/experiments/:id; without it the record is answered inline. */
export const ExportQuerySchema = z.object({ format: z.enum(["csv", "json"]).optional() }).strict();

export const ExperimentStatusSchema = z.enum(EXPERIMENT_STATUSES);
