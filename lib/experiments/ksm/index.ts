import { defineExperiment } from "@/lib/experiments/definition";
import { ksmPlanLine, ksmPlanShort } from "./plan-line";
import { KsmPlanSchema } from "./schema";
import { summarizeKsm } from "./summary";
import { ksmHeadline, ksmText } from "./text";

export const ksmExperiment = defineExperiment({
  type: "ksm",
  title: "KSM: merging identical pages across VMs",
  planSchema: KsmPlanSchema,
  // KSM is host-wide: the run merges every mergeable page on the host (other users' VMs too) while it runs.
  role: "admin",
  summarize: summarizeKsm,
  text: ksmText,
  headline: ksmHeadline,
  planLine: ksmPlanLine,
  planShort: ksmPlanShort,
});
