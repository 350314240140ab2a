import { z } from "zod";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { CPUS, MEMORY_MIB } from "@/lib/schemas/instance";

// Fields every experiment plan shares, so the four plan schemas refuse the
// same bad image name or memory size with the same message.

export function uniqueList<T extends string>(values: readonly [T, ...T[]], what: string) {
  return z
    .array(z.enum(values))
    .min(1, `choose at least one ${what}`)
    .refine((xs) => new Set(xs).size === xs.length, `each ${what} at most once`);
}

export const intIn = (r: { min: number; max: number }) => z.number().int().min(r.min).max(r.max);

export const imageField = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "not a valid image name")
  .default("probe");

/** image, memoryMiB and cpus of every instance a run starts; `kinds` defaults to all three. */
export const commonPlanFields = {
  kinds: uniqueList(INSTANCE_KINDS, "kind").default([...INSTANCE_KINDS]),
  image: imageField,
  memoryMiB: intIn(MEMORY_MIB).default(MEMORY_MIB.default),
  cpus: intIn(CPUS).default(CPUS.default),
};
