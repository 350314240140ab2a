import type { DensitySchedule } from "./schema";

// When a density run measures: after every instance, or at 1, 2, 5, 10, 20,
// 50, 100 … and the last, starting the instances in between back to back
// (no settle, no CPU window), so 300 containers take minutes. Pure.

const MANTISSAS = [1, 2, 5];

/** The instance counts at which a run up to `max` measures. */
export function measurePoints(max: number, schedule: DensitySchedule): number[] {
  if (max < 1) return [];
  if (schedule === "each") return Array.from({ length: max }, (_, i) => i + 1);
  const out: number[] = [];
  for (let decade = 1; decade <= max; decade *= 10) for (const m of MANTISSAS) if (m * decade <= max) out.push(m * decade);
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}

/** "each" up to `eachUpTo` instances, geometric above, unless the plan says. */
export function scheduleFor(max: number, planned: DensitySchedule | undefined, eachUpTo: number): DensitySchedule {
  return planned ?? (max <= eachUpTo ? "each" : "geometric");
}
