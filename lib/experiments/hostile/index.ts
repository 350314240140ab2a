import { defineExperiment } from "@/lib/experiments/definition";
import { hostilePlanLine, hostilePlanShort } from "./plan-line";
import { HostilePlanSchema } from "./schema";
import { summarizeHostile } from "./summary";
import { hostileHeadline, hostileText } from "./text";

export const hostileExperiment = defineExperiment({
  type: "hostile",
  title: "Hostile image",
  planSchema: HostilePlanSchema,
  summarize: (samples, plan, skipped) => summarizeHostile(samples, plan.targets, skipped),
  text: hostileText,
  headline: hostileHeadline,
  planLine: hostilePlanLine,
  planShort: hostilePlanShort,
});
