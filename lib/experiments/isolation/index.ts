import { defineExperiment } from "@/lib/experiments/definition";
import { isolationPlanLine } from "./plan-line";
import { IsolationPlanSchema } from "./schema";
import { summarizeIsolation } from "./summary";
import { isolationHeadline, isolationText } from "./text";

export const isolationExperiment = defineExperiment({
  type: "isolation",
  title: "Memory isolation",
  planSchema: IsolationPlanSchema,
  summarize: summarizeIsolation,
  text: isolationText,
  headline: isolationHeadline,
  planLine: isolationPlanLine,
  planShort: isolationPlanLine,
});
