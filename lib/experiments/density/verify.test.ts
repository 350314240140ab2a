import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "@/lib/experiments/types";
import { MIB } from "@/lib/host/memory-guard";
import { densityVerify, predictCount } from "./verify";

const verifySample = (rep: number, predicted: number, marginalMiB: number): ExperimentSample => ({
  seq: 1,
  kind: "container",
  sample: "verify",
  rep,
  warmup: false,
  takenAt: "",
  values: { budget_bytes: 600 * MIB, used_bytes: 300 * MIB, marginal_bytes: marginalMiB * MIB, predicted_count: predicted, from_code: 0 },
});

describe("predictCount", () => {
  it.each([
    [600 * MIB, 2.4, 250],
    [600 * MIB, 0.6, 1000],
    [600 * MIB, null, null],
    [600 * MIB, 0, null],
    [0, 2, 0],
  ])("%d bytes at %s MiB → %s", (budget, marginal, n) => expect(predictCount(budget, marginal)).toBe(n));
});

describe("densityVerify", () => {
  it("compares the prediction with the count reached when the budget was used", () => {
    const v = densityVerify([verifySample(120, 250, 2.4)], 240, "budget")!;
    expect(v).toMatchObject({ calibratedOn: 120, predicted: 250, reached: 240, budgetUsed: true, from: "memavailable", marginalMiB: 2.4 });
    expect(v.error).toBeCloseTo(-0.04, 10);
    expect(v.text).toBe(
      "predicted 250 in 600 MiB from 2.40 MiB each (memavailable, measured over 120 instances); reached 240 when the budget, counted by the same measure, was used (-4.0 %)",
    );
  });
  it("says when the run stopped for another reason: then it is no check", () => {
    const v = densityVerify([verifySample(50, 97, 10.5)], 500, "max")!;
    expect(v.budgetUsed).toBe(false);
    expect(v.text).toMatch(/reached 500, but the run stopped \(max\) before the budget was used: not a check$/);
  });
  it("is null without a prediction", () => expect(densityVerify([], 10, "max")).toBeNull());
});
