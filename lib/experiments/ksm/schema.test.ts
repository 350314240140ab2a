import { describe, expect, it } from "vitest";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { KsmPlanSchema, scanPagesPerSecond } from "./schema";
import { ksmPlanLine } from "./plan-line";

describe("KSM plan", () => {
  it("fills in the defaults: 4 cold VMs of 128 MiB, a minute at 1000 pages every 20 ms, read each second", () => {
    expect(KsmPlanSchema.parse({ type: "ksm" })).toEqual({
      type: "ksm",
      image: "probe",
      memoryMiB: 128,
      cpus: 1,
      vms: 4,
      durationSeconds: 60,
      sampleMs: 1000,
      pagesToScan: 1000,
      sleepMs: 20,
    });
  });

  it("is a member of the experiment plan union", () => {
    expect(ExperimentPlanSchema.parse({ type: "ksm", vms: 2 })).toMatchObject({ type: "ksm", vms: 2 });
  });

  it.each([
    [{ type: "ksm", vms: 1 }, "vms"],
    [{ type: "ksm", vms: 9 }, "vms"],
    [{ type: "ksm", vms: 2.5 }, "vms"],
    [{ type: "ksm", memoryMiB: 16 }, "memoryMiB"],
    [{ type: "ksm", durationSeconds: 4 }, "durationSeconds"],
    [{ type: "ksm", durationSeconds: 601 }, "durationSeconds"],
    [{ type: "ksm", sampleMs: 100 }, "sampleMs"],
    [{ type: "ksm", durationSeconds: 5, sampleMs: 6000 }, "sampleMs"],
    [{ type: "ksm", pagesToScan: 0 }, "pagesToScan"],
    [{ type: "ksm", pagesToScan: 100_001 }, "pagesToScan"],
    [{ type: "ksm", sleepMs: 0 }, "sleepMs"],
    [{ type: "ksm", scanRate: 5 }, ""],
  ])("refuses %j naming %s", (plan, field) => {
    const r = ExperimentPlanSchema.safeParse(plan);
    expect(r.success).toBe(false);
    expect(String(r.error!.issues[0].path[0] ?? "")).toBe(field);
  });

  it("states the rate it asks ksmd for", () => {
    expect(scanPagesPerSecond(1000, 20)).toBe(50_000);
    expect(ksmPlanLine(KsmPlanSchema.parse({ type: "ksm", vms: 3, durationSeconds: 30, pagesToScan: 5000 }))).toBe(
      "3 cold VMs, KSM on for 30 s at pages_to_scan 5000 every 20 ms (≤ 250,000 pages/s), read every 1000 ms",
    );
  });
});
