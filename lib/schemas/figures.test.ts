import { describe, expect, it } from "vitest";
import { guest, inst, MiB, payload } from "@/lib/figures/test-fixtures";
import { FiguresPayloadSchema, GuestFactsSchema, MeasuredBytesSchema, ScenarioResultSchema } from "./figures";

describe("FiguresPayloadSchema", () => {
  it("accepts a full payload and an empty one", () => {
    const full = payload({ instances: [inst("fig23-vm-c", "vm", 160 * MiB), inst("fig23-ct-a", "container", null)] });
    expect(FiguresPayloadSchema.parse(full)).toEqual(full);
    expect(FiguresPayloadSchema.parse(payload())).toEqual(payload());
  });

  it.each([
    ["negative memory", (p: ReturnType<typeof payload>) => (p.host.memTotal.value = -1), "host.memTotal.value"],
    ["NaN memory", (p: ReturnType<typeof payload>) => (p.host.memAvailable.value = NaN), "host.memAvailable.value"],
    ["a value without a source", (p: ReturnType<typeof payload>) => (p.host.memTotal.source = ""), "host.memTotal.source"],
    ["a time that is not ISO 8601", (p: ReturnType<typeof payload>) => (p.host.memTotal.at = "yesterday"), "host.memTotal.at"],
    ["an unknown kind", (p: ReturnType<typeof payload>) => (p.instances = [{ ...inst("x", "vm", 1), kind: "lxc" as never }]), "instances.0.kind"],
    ["an unknown accelerator", (p: ReturnType<typeof payload>) => (p.host.accelerator!.accel = "hvf" as never), "host.accelerator.accel"],
    [
      "a scenario member without apps",
      (p: ReturnType<typeof payload>) => (p.fig23.members = [{ name: "a", kind: "vm", apps: [], instanceId: null }]),
      "fig23.members.0.apps",
    ],
  ])("refuses %s, naming the field", (_, spoil, field) => {
    const p = payload();
    spoil(p);
    const r = FiguresPayloadSchema.safeParse(p);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toContain(field);
  });

  it("every measured value carries source and time", () => {
    expect(MeasuredBytesSchema.safeParse({ value: 1 }).success).toBe(false);
    expect(MeasuredBytesSchema.parse({ value: 1, source: "s", at: "2026-01-01T00:00:00Z" })).toEqual({ value: 1, source: "s", at: "2026-01-01T00:00:00Z" });
  });

  it("guest facts need a non-negative error bar and counts", () => {
    expect(GuestFactsSchema.safeParse({ ...guest(), bootedAtErrorMs: -1 }).success).toBe(false);
    expect(GuestFactsSchema.safeParse({ ...guest(), processCount: 1.5 }).success).toBe(false);
  });

  it("ScenarioResult", () => {
    expect(ScenarioResultSchema.parse({ started: ["fig23-vm-c"], reused: [], tookMs: 12 })).toEqual({ started: ["fig23-vm-c"], reused: [], tookMs: 12 });
    expect(ScenarioResultSchema.safeParse({ started: [], reused: [], tookMs: -1 }).success).toBe(false);
  });
});
