import { z } from "zod";
import { UNLIMITED_HOG_HARD_CAP_MIB, UNLIMITED_HOG_MIN_MIB } from "@/lib/host/memory-guard";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { commonPlanFields, intIn, uniqueList } from "@/lib/experiments/plan-fields";

// The memory isolation plan; a member of ExperimentPlanSchema
// (lib/schemas/experiment.ts), so the API, the form on /experiments and
// `npm run experiment` refuse the same input.

/** The three hogs of an isolation run, in the order they run. */
export const ISOLATION_HOGS = ["container-limited", "vm", "container-unlimited"] as const;
export type IsolationHog = (typeof ISOLATION_HOGS)[number];

export const ISOLATION_LIMIT_MIB = { min: 32, max: 1024, default: 64 } as const;
export const ISOLATION_VM_MIB = { min: 64, max: 1024, default: 128 } as const;
export const ISOLATION_UNLIMITED_MIB = { min: UNLIMITED_HOG_MIN_MIB, max: UNLIMITED_HOG_HARD_CAP_MIB, default: 1024 } as const;
export const CALM_SECONDS = { min: 1, max: 30, default: 3 } as const;
export const LATENCY_INTERVAL_MS = { min: 5, max: 100, default: 20 } as const;

const { image, memoryMiB, cpus } = commonPlanFields;

export const IsolationPlanSchema = z
  .object({
    type: z.literal("isolation"),
    image,
    /** Memory of each neighbour (the VM neighbour's guest RAM, the containers' limit). */
    memoryMiB,
    cpus,
    /** One neighbour of each of these kinds runs `probe latency` throughout. */
    neighbours: uniqueList(INSTANCE_KINDS, "neighbour kind").default([...INSTANCE_KINDS]),
    hogs: uniqueList(ISOLATION_HOGS, "hog").default([...ISOLATION_HOGS]),
    /** The limited container hog's memory limit; it asks for twice this. */
    limitMiB: intIn(ISOLATION_LIMIT_MIB).default(ISOLATION_LIMIT_MIB.default),
    /** The VM hog's guest memory; it asks for twice this. */
    vmMiB: intIn(ISOLATION_VM_MIB).default(ISOLATION_VM_MIB.default),
    /** What the unlimited container hog asks for; Isolab lowers it to keep the host's reserve free. */
    unlimitedMiB: intIn(ISOLATION_UNLIMITED_MIB).default(ISOLATION_UNLIMITED_MIB.default),
    /** Quiet time before the first hog and after the last, for the neighbours' baseline. */
    calmSeconds: intIn(CALM_SECONDS).default(CALM_SECONDS.default),
    latencyIntervalMs: intIn(LATENCY_INTERVAL_MS).default(LATENCY_INTERVAL_MS.default),
  })
  .strict();

export type IsolationPlan = z.output<typeof IsolationPlanSchema>;
