import { defineExperiment } from "@/lib/experiments/definition";
import { densityHeadline } from "./headline";
import { densityPlanLine } from "./plan-line";
import { DensityPlanSchema } from "./schema";
import { summarizeDensity } from "./summary";
import { densityText } from "./text";

export const densityExperiment = defineExperiment({
  type: "density",
  title: "Density and capacity",
  planSchema: DensityPlanSchema,
  summarize: summarizeDensity,
  text: densityText,
  headline: densityHeadline,
  planLine: densityPlanLine,
  planShort: densityPlanLine,
});
