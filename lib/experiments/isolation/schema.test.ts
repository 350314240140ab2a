import { describe, expect, it } from "vitest";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { IsolationPlanSchema } from "./schema";

describe("isolation plan", () => {
  it("fills in the defaults the issue names", () => {
    expect(IsolationPlanSchema.parse({ type: "isolation" })).toEqual({
      type: "isolation",
      image: "probe",
      memoryMiB: 128,
      cpus: 1,
      neighbours: ["process", "container", "vm"],
      hogs: ["container-limited", "vm", "container-unlimited"],
      limitMiB: 64,
      vmMiB: 128,
      unlimitedMiB: 1024,
      calmSeconds: 3,
      latencyIntervalMs: 20,
    });
  });

  it("is a member of the experiment plan union", () => {
    expect(ExperimentPlanSchema.parse({ type: "isolation", hogs: ["vm"] }).type).toBe("isolation");
  });

  it.each([
    [{ type: "isolation", unlimitedMiB: 100_000 }, "unlimitedMiB"],
    [{ type: "isolation", hogs: ["vm", "vm"] }, "hogs"],
    [{ type: "isolation", hogs: ["fork-bomb"] }, "hogs"],
    [{ type: "isolation", limitMiB: 8 }, "limitMiB"],
    [{ type: "isolation", neighbours: [] }, "neighbours"],
  ])("refuses %j naming %s", (plan, field) => {
    const r = ExperimentPlanSchema.safeParse(plan);
    expect(r.success).toBe(false);
    expect(String(r.error!.issues[0].path[0] ?? "")).toBe(field);
  });
});
