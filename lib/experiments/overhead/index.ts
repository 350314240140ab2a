import { defineExperiment } from "@/lib/experiments/definition";
import { WORKLOAD_ARGS } from "@/lib/probe/workload-metrics";
import { overheadPlanLine, overheadPlanShort } from "./plan-line";
import { OverheadPlanSchema } from "./schema";
import { summarizeOverhead } from "./summary";
import { overheadHeadline, overheadText } from "./text";

export const overheadExperiment = defineExperiment({
  type: "overhead",
  title: "Runtime overhead",
  planSchema: OverheadPlanSchema,
  summarize: (samples, plan, skipped) => summarizeOverhead(samples, plan.kinds, plan.workloads, skipped, WORKLOAD_ARGS),
  text: overheadText,
  headline: overheadHeadline,
  planLine: overheadPlanLine,
  planShort: overheadPlanShort,
});
