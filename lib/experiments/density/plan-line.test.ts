import { describe, expect, it } from "vitest";
import { densityPlanLine } from "./plan-line";
import { DensityPlanSchema } from "./schema";

describe("densityPlanLine", () => {
  it.each([
    [DensityPlanSchema.parse({ type: "density", max: 20 }), "up to 20 per kind"],
    [DensityPlanSchema.parse({ type: "density", max: 10, maxVm: 3, budgetMiB: 2048 }), "up to 10 per kind (VMs 3), budget 2048 MiB"],
    [DensityPlanSchema.parse({ type: "density", max: 300, schedule: "geometric" }), "up to 300 per kind, measured geometrically"],
  ])("%j", (plan, line) => {
    expect(densityPlanLine(plan as Record<string, unknown>)).toBe(line);
  });
});
