import { z } from "zod";
import { UNLIMITED_HOG_HARD_CAP_MIB, UNLIMITED_HOG_MIN_MIB } from "@/lib/host/memory-guard";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { CPUS, MEMORY_MIB } from "./instance";

// Plans of the memory isolation and density experiments; part of the
// discriminated union in ./experiment.ts, so the API, the forms on
// /experiments and `npm run experiment` refuse the same input.

/** The three hogs of an isolation run, in the order they run. */
export const ISOLATION_HOGS = ["container-limited", "vm", "container-unlimited"] as const;
export type IsolationHog = (typeof ISOLATION_HOGS)[number];

export const ISOLATION_LIMIT_MIB = { min: 32, max: 1024, default: 64 } as const;
export const ISOLATION_VM_MIB = { min: 64, max: 1024, default: 128 } as const;
export const ISOLATION_UNLIMITED_MIB = { min: UNLIMITED_HOG_MIN_MIB, max: UNLIMITED_HOG_HARD_CAP_MIB, default: 1024 } as const;
export const CALM_SECONDS = { min: 1, max: 30, default: 3 } as const;
export const LATENCY_INTERVAL_MS = { min: 5, max: 100, default: 20 } as const;

export const DENSITY_MAX = { min: 1, max: 64, default: 10 } as const;
export const DENSITY_SETTLE_MS = { min: 0, max: 10_000, default: 1000 } as const;
export const DENSITY_CPU_WINDOW_MS = { min: 200, max: 10_000, default: 1000 } as const;

function uniqueList<T extends string>(values: readonly [T, ...T[]], what: string) {
  return z
    .array(z.enum(values))
    .min(1, `choose at least one ${what}`)
    .refine((xs) => new Set(xs).size === xs.length, `each ${what} at most once`);
}

const int = (r: { min: number; max: number }) => z.number().int().min(r.min).max(r.max);
const image = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "not a valid image name").default("probe");

export const IsolationPlanSchema = z
  .object({
    type: z.literal("isolation"),
    image,
    /** Memory of each neighbour (the VM neighbour's guest RAM, the containers' limit). */
    memoryMiB: int(MEMORY_MIB).default(MEMORY_MIB.default),
    cpus: int(CPUS).default(CPUS.default),
    /** One neighbour of each of these kinds runs `probe latency` throughout. */
    neighbours: uniqueList(INSTANCE_KINDS, "neighbour kind").default([...INSTANCE_KINDS]),
    hogs: uniqueList(ISOLATION_HOGS, "hog").default([...ISOLATION_HOGS]),
    /** The limited container hog's memory limit; it asks for twice this. */
    limitMiB: int(ISOLATION_LIMIT_MIB).default(ISOLATION_LIMIT_MIB.default),
    /** The VM hog's guest memory; it asks for twice this. */
    vmMiB: int(ISOLATION_VM_MIB).default(ISOLATION_VM_MIB.default),
    /** What the unlimited container hog asks for; Isolab lowers it to keep the host's reserve free. */
    unlimitedMiB: int(ISOLATION_UNLIMITED_MIB).default(ISOLATION_UNLIMITED_MIB.default),
    /** Quiet time before the first hog and after the last, for the neighbours' baseline. */
    calmSeconds: int(CALM_SECONDS).default(CALM_SECONDS.default),
    latencyIntervalMs: int(LATENCY_INTERVAL_MS).default(LATENCY_INTERVAL_MS.default),
  })
  .strict();

export const DensityPlanSchema = z
  .object({
    type: z.literal("density"),
    kinds: uniqueList(INSTANCE_KINDS, "kind").default(["container", "vm"]),
    image,
    memoryMiB: int(MEMORY_MIB).default(MEMORY_MIB.default),
    cpus: int(CPUS).default(CPUS.default),
    /** Instances per kind at most. */
    max: int(DENSITY_MAX).default(DENSITY_MAX.default),
    /** VMs at most, when lower than `max` (a TCG VM boots in seconds, a container in milliseconds). */
    maxVm: int(DENSITY_MAX).optional(),
    /** Host memory this run may take per kind, MiB; the host's reserve applies in any case. */
    budgetMiB: z.number().int().min(64).max(1_048_576).optional(),
    /** Wait after each start before measuring, so a guest's boot-time allocations settle. */
    settleMs: int(DENSITY_SETTLE_MS).default(DENSITY_SETTLE_MS.default),
    /** Window over which the instances' CPU is measured at each step. */
    cpuWindowMs: int(DENSITY_CPU_WINDOW_MS).default(DENSITY_CPU_WINDOW_MS.default),
  })
  .strict();

export type IsolationPlan = z.output<typeof IsolationPlanSchema>;
export type DensityPlan = z.output<typeof DensityPlanSchema>;
