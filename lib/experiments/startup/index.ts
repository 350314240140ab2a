import { defineExperiment } from "@/lib/experiments/definition";
import { startupPlanLine, startupPlanShort } from "./plan-line";
import { StartupPlanSchema } from "./schema";
import { summarizeStartup } from "./summary";
import { startupHeadline, startupText } from "./text";

export const startupExperiment = defineExperiment({
  type: "startup",
  title: "Startup time",
  planSchema: StartupPlanSchema,
  summarize: (samples, plan, skipped) => summarizeStartup(samples, plan.kinds, skipped),
  text: startupText,
  headline: startupHeadline,
  planLine: startupPlanLine,
  planShort: startupPlanShort,
});
