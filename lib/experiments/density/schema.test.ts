import { describe, expect, it } from "vitest";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { DensityPlanSchema } from "./schema";

describe("density plan", () => {
  it("fills in the defaults the issue names", () => {
    expect(DensityPlanSchema.parse({ type: "density", max: 20 })).toMatchObject({ kinds: ["container", "vm"], max: 20, settleMs: 1000, cpuWindowMs: 1000 });
  });

  it("allows hundreds of containers and a geometric schedule", () => {
    expect(DensityPlanSchema.parse({ type: "density", kinds: ["container"], max: 300, schedule: "geometric" })).toMatchObject({
      max: 300,
      schedule: "geometric",
    });
  });

  it("is a member of the experiment plan union", () => {
    expect(ExperimentPlanSchema.parse({ type: "density" }).type).toBe("density");
  });

  it.each([
    [{ type: "density", max: 0 }, "max"],
    [{ type: "density", max: 501 }, "max"],
    [{ type: "density", maxVm: 65 }, "maxVm"],
    [{ type: "density", schedule: "sometimes" }, "schedule"],
    [{ type: "density", budgetMiB: 1 }, "budgetMiB"],
    [{ type: "density", kinds: ["container"], runs: 3 }, ""],
  ])("refuses %j naming %s", (plan, field) => {
    const r = ExperimentPlanSchema.safeParse(plan);
    expect(r.success).toBe(false);
    expect(String(r.error!.issues[0].path[0] ?? "")).toBe(field);
  });
});
