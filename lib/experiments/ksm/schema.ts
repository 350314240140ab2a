import { z } from "zod";
import { commonPlanFields, intIn } from "@/lib/experiments/plan-fields";

// The KSM plan; a member of ExperimentPlanSchema (lib/schemas/experiment.ts),
// so the API, the form on /experiments and `npm run experiment` refuse the same input.

/** Cold VMs that boot side by side and then idle while KSM scans them. */
export const KSM_VMS = { min: 2, max: 8, default: 4 } as const;
/** How long KSM runs with the VMs up, and how often it is read. */
export const KSM_DURATION_SECONDS = { min: 5, max: 600, default: 60 } as const;
export const KSM_SAMPLE_MS = { min: 250, max: 10_000, default: 1000 } as const;
/**
 * The scan rate for the run: ksmd scans `pages_to_scan` pages, then sleeps
 * `sleep_millisecs`. The kernel's defaults (100 every 20 ms, ~20 MiB/s) take
 * minutes over a few VMs; 1000 every 20 ms is ~200 MiB/s and costs ksmd about
 * one core while it has pages to compare. Sleeps under 10 ms would make ksmd
 * a busy loop.
 */
export const KSM_PAGES_TO_SCAN = { min: 10, max: 100_000, default: 1000 } as const;
export const KSM_SLEEP_MS = { min: 10, max: 10_000, default: 20 } as const;

const { image, memoryMiB, cpus } = commonPlanFields;

export const KsmPlanSchema = z
  .object({
    type: z.literal("ksm"),
    image,
    /** Guest memory of each VM. */
    memoryMiB,
    cpus,
    vms: intIn(KSM_VMS).default(KSM_VMS.default),
    durationSeconds: intIn(KSM_DURATION_SECONDS).default(KSM_DURATION_SECONDS.default),
    sampleMs: intIn(KSM_SAMPLE_MS).default(KSM_SAMPLE_MS.default),
    pagesToScan: intIn(KSM_PAGES_TO_SCAN).default(KSM_PAGES_TO_SCAN.default),
    sleepMs: intIn(KSM_SLEEP_MS).default(KSM_SLEEP_MS.default),
  })
  .strict()
  .refine((p) => p.sampleMs <= p.durationSeconds * 1000, {
    path: ["sampleMs"],
    message: "must be at most durationSeconds × 1000: at least one reading while KSM runs",
  });

export type KsmPlan = z.output<typeof KsmPlanSchema>;

/** Pages ksmd scans per second at a plan's rate (it also spends time comparing, so this is an upper bound). */
export function scanPagesPerSecond(pagesToScan: number, sleepMs: number): number {
  return (pagesToScan * 1000) / sleepMs;
}
