import { describe, expect, it } from "vitest";
import { isolationPlanLine } from "./plan-line";
import { IsolationPlanSchema } from "./schema";

describe("isolationPlanLine", () => {
  it.each([
    [
      IsolationPlanSchema.parse({ type: "isolation" }),
      "hogs: a container limited to 64 MiB, a 128 MiB VM, an unlimited container (up to 1024 MiB); neighbours measure latency every 20 ms",
    ],
    [IsolationPlanSchema.parse({ type: "isolation", hogs: ["vm"] }), "hogs: a 128 MiB VM; neighbours measure latency every 20 ms"],
  ])("%j", (plan, line) => {
    expect(isolationPlanLine(plan as Record<string, unknown>)).toBe(line);
  });
});
