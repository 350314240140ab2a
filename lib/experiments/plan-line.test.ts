import { describe, expect, it } from "vitest";
import { capacityPlanLine } from "./plan-line";
import { DensityPlanSchema, IsolationPlanSchema } from "../schemas/experiment-capacity";

describe("capacityPlanLine", () => {
  it.each([
    ["isolation", IsolationPlanSchema.parse({ type: "isolation" }), "hogs: a container limited to 64 MiB, a 128 MiB VM, an unlimited container (up to 1024 MiB); neighbours measure latency every 20 ms"],
    ["isolation", IsolationPlanSchema.parse({ type: "isolation", hogs: ["vm"] }), "hogs: a 128 MiB VM; neighbours measure latency every 20 ms"],
    ["density", DensityPlanSchema.parse({ type: "density", max: 20 }), "up to 20 per kind"],
    ["density", DensityPlanSchema.parse({ type: "density", max: 10, maxVm: 3, budgetMiB: 2048 }), "up to 10 per kind (VMs 3), budget 2048 MiB"],
    ["startup", {}, "startup"],
  ])("%s %j", (type, plan, line) => {
    expect(capacityPlanLine(type, plan as Record<string, unknown>)).toBe(line);
  });
});
