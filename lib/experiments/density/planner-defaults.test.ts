import { describe, expect, it } from "vitest";
import { GIB, MIB } from "@/lib/host/memory-guard";
import { FALLBACK_PLANNER, plannerDefaults, TEMPLATE_UNMEASURED, templatePlan } from "./planner-defaults";
import recorded from "./recorded-run.json";
import type { DensityResult } from "./types";

// A real run on a 2-core TCG host (`npm run experiment -- density --kinds vm,vm-template --max 10 --max-vm 10`):
// 10 cold VMs, the template's RAM file, 10 clones. Its samples are left out; its result is whole.
const run = recorded.result as DensityResult;
const kind = (k: string) => run.kinds.find((x) => x.kind === k)!;

describe("plannerDefaults (cold VMs)", () => {
  it("takes the run's measured overheads on its host's memory", () => {
    const d = plannerDefaults(run);
    expect(d.vmOverheadMiB).toBe(kind("vm").marginal.chosenMiB);
    expect(d.hostGiB).toBe(Math.round(run.host.totalBytes! / GIB));
    expect(d.templateMiB).toBe(0);
    // The run measured no containers: the development host's figure stays.
    expect(d.containerOverheadMiB).toBe(FALLBACK_PLANNER.containerOverheadMiB);
  });
});

describe("templatePlan", () => {
  it("plans clones from the vm-template marginal and the template from its RAM file as tmpfs held it, saying so", () => {
    const p = templatePlan(run);
    expect(p.defaults).not.toBeNull();
    if (!p.defaults) return;
    expect(p.defaults.vmOverheadMiB).toBe(kind("vm-template").marginal.chosenMiB);
    expect(p.defaults.templateMiB).toBeCloseTo(kind("vm-template").templateFile!.residentBytes / MIB, 10);
    expect(p.defaults.templateMiB).toBeLessThan(128);
    expect("source" in p && p.source).toMatch(
      /^Templated VMs: each clone's overhead is the vm-template marginal memory \(.+ per clone, density run\); the template, paid once, is the template's RAM file as tmpfs held it \(75 MiB of 128 MiB, st_blocks\)\.$/,
    );
  });

  it("a run from before the file was recorded stands a cold VM's measured marginal in for it, and says so", () => {
    const older = { ...run, kinds: run.kinds.map((k) => (k.kind === "vm-template" ? { ...k, templateFile: undefined } : k)) };
    const p = templatePlan(older);
    expect(p.defaults?.templateMiB).toBe(kind("vm").marginal.chosenMiB);
    expect("source" in p && p.source).toContain("a cold VM's marginal memory, standing in for the template's RAM file");
  });

  it.each([
    ["no run", null],
    ["a run without vm-template", { ...run, kinds: run.kinds.filter((k) => k.kind === "vm") }],
    ["a vm-template kind with no marginal", { ...run, kinds: run.kinds.map((k) => ({ ...k, marginal: { ...k.marginal, chosenMiB: null } })) }],
  ])("%s: not offered, with what to run — no figure stands in", (_, result) => {
    expect(templatePlan(result as DensityResult | null)).toEqual({ defaults: null, why: TEMPLATE_UNMEASURED });
  });

  it("clones measured but neither the template's file nor a cold VM: not offered", () => {
    const only = { ...run, kinds: run.kinds.filter((k) => k.kind === "vm-template").map((k) => ({ ...k, templateFile: null })) };
    const p = templatePlan(only);
    expect(p.defaults).toBeNull();
    expect("why" in p && p.why).toMatch(/^run the density experiment with vm-template to plan templated VMs \(this run measured neither/);
  });
});
