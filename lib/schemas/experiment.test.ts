import { describe, expect, it } from "vitest";
import { ExperimentIdSchema, ExperimentPlanSchema } from "./experiment";

const fields = (input: unknown) => {
  const r = ExperimentPlanSchema.safeParse(input);
  return r.success ? "ok" : r.error.issues.map((i) => i.path.join(".") || "(body)").join(" ");
};

describe("ExperimentPlanSchema", () => {
  it("fills defaults for a startup plan", () => {
    expect(ExperimentPlanSchema.parse({ type: "startup" })).toEqual({
      type: "startup",
      runs: 5,
      kinds: ["process", "container", "vm", "vm-warm"],
      image: "probe",
      memoryMiB: 128,
      cpus: 1,
      warmup: true,
      memorySeconds: 0,
    });
  });

  it("fills defaults for an overhead plan", () => {
    expect(ExperimentPlanSchema.parse({ type: "overhead", kinds: ["vm"] })).toEqual({
      type: "overhead",
      reps: 3,
      kinds: ["vm"],
      image: "probe",
      memoryMiB: 128,
      cpus: 1,
      workloads: ["cpu", "stream", "syscall", "io"],
      idleSeconds: 5,
    });
  });

  it.each([
    { input: { type: "startup", runs: 10, kinds: ["process", "container"] }, want: "ok" },
    { input: { type: "startup", runs: 50 }, want: "ok" },
    { input: { type: "startup", runs: 0 }, want: "runs" },
    { input: { type: "startup", runs: 51 }, want: "runs" },
    { input: { type: "startup", runs: 2.5 }, want: "runs" },
    { input: { type: "startup", runs: "5" }, want: "runs" },
    { input: { type: "startup", kinds: [] }, want: "kinds" },
    { input: { type: "startup", kinds: ["vm", "vm"] }, want: "kinds" },
    { input: { type: "startup", kinds: ["lxc"] }, want: "kinds.0" },
    { input: { type: "startup", memoryMiB: 16 }, want: "memoryMiB" },
    { input: { type: "startup", memoryMiB: 8192 }, want: "memoryMiB" },
    { input: { type: "startup", cpus: 0 }, want: "cpus" },
    { input: { type: "startup", cpus: 5 }, want: "cpus" },
    { input: { type: "startup", image: "../etc" }, want: "image" },
    { input: { type: "startup", reps: 3 }, want: "(body)" },
    { input: { type: "overhead", reps: 21 }, want: "reps" },
    { input: { type: "overhead", workloads: ["cpu", "gpu"] }, want: "workloads.1" },
    { input: { type: "overhead", workloads: [] }, want: "workloads" },
    { input: { type: "overhead", idleSeconds: 0 }, want: "idleSeconds" },
    { input: { type: "overhead", idleSeconds: 61 }, want: "idleSeconds" },
    { input: { type: "no-such-experiment" }, want: "type" },
    { input: {}, want: "type" },
    { input: { type: "startup", runs: 0, cpus: 9 }, want: "runs cpus" },
  ])("$input → $want", ({ input, want }) => {
    expect(fields(input)).toBe(want);
  });
});

describe("ExperimentIdSchema", () => {
  it.each([
    { id: "x0123456789", ok: true },
    { id: "x0123abcdef", ok: true },
    { id: "x0123456789a", ok: false },
    { id: "x0123abcde", ok: false },
    { id: "X0123ABCDEF", ok: false },
    { id: "../x", ok: false },
  ])("$id", ({ id, ok }) => expect(ExperimentIdSchema.safeParse(id).success).toBe(ok));
});
