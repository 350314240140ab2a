import { describe, expect, it } from "vitest";
import { GIB, MIB } from "@/lib/host/memory-guard";
import { NOT_MEASURED, plannerFigures, sourceLine, TEMPLATE_UNMEASURED, templatePlan, TYPED, type PlannerRun } from "./planner-defaults";
import recorded from "./recorded-run.json";
import type { DensityResult } from "./types";

// A real run on a 2-core TCG host (`npm run experiment -- density --kinds vm,vm-template --max 10 --max-vm 10`):
// 10 cold VMs, the template's RAM file, 10 clones. Its samples are left out; its result is whole.
const result = recorded.result as DensityResult;
const run: PlannerRun = { result, label: `density run ${recorded.id}` };
const kind = (k: string) => result.kinds.find((x) => x.kind === k)!;
const sources = (f: ReturnType<typeof plannerFigures>) =>
  Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.source])) as Parameters<typeof sourceLine>[0];

describe("plannerFigures (cold VMs)", () => {
  it("takes the overheads the run measured and says so; a kind it did not measure starts empty", () => {
    const f = plannerFigures(run);
    expect(f.vmOverheadMiB).toEqual({
      value: kind("vm").marginal.chosenMiB,
      source: `density run ${recorded.id}, cold VM marginal memory (summed host view per VM)`,
    });
    // The run measured no containers: nothing stands in for them.
    expect(f.containerOverheadMiB).toEqual({ value: null, source: NOT_MEASURED });
    expect(f.templateMiB.value).toBe(0);
  });

  it("host memory is this host's MemTotal read now, else the run's reading of it, else empty", () => {
    expect(plannerFigures(run, 8 * GIB).hostGiB).toEqual({ value: 8, source: "this host's MemTotal" });
    expect(plannerFigures(run).hostGiB).toEqual({
      value: result.host.totalBytes! / GIB,
      source: `this host's MemTotal, as density run ${recorded.id} read it`,
    });
    expect(plannerFigures({ ...run, result: { ...result, host: { ...result.host, totalBytes: null } } }).hostGiB.value).toBeNull();
    expect(plannerFigures(null).hostGiB).toEqual({ value: null, source: NOT_MEASURED });
  });

  it("without a run no overhead has a value: only the host's MemTotal and the user's own choices", () => {
    const f = plannerFigures(null, 24 * GIB);
    expect(f.containerOverheadMiB.value).toBeNull();
    expect(f.vmOverheadMiB.value).toBeNull();
    expect(f.workloadMiB.source).toMatch(/^your choice/);
    expect(f.appsPerVm.source).toMatch(/^your choice/);
    expect(sourceLine(sources(f))).toBe(
      "Host memory: this host's MemTotal. Workload memory, Apps per VM: your choice (a starting value, not a measurement). " +
        "Container overhead, VM overhead: not measured on this host. Template file: none: cold VMs have no template.",
    );
  });
});

describe("sourceLine", () => {
  it("names each source once, with the fields it gave, in the form's order", () => {
    const s = { ...sources(plannerFigures(run, 24 * GIB)), containerOverheadMiB: TYPED, workloadMiB: TYPED };
    expect(sourceLine(s)).toBe(
      `Host memory: this host's MemTotal. Workload memory, Container overhead: typed by you. VM overhead: density run ${recorded.id}, cold VM marginal memory (summed host view per VM). ` +
        "Apps per VM: your choice (a starting value, not a measurement). Template file: none: cold VMs have no template.",
    );
  });
});

describe("templatePlan", () => {
  it("plans clones from the vm-template marginal and the template from its RAM file as tmpfs held it, saying so", () => {
    const p = templatePlan(run);
    expect(p.figures).not.toBeNull();
    if (!p.figures) return;
    expect(p.figures.vmOverheadMiB.value).toBe(kind("vm-template").marginal.chosenMiB);
    expect(p.figures.vmOverheadMiB.source).toBe(`density run ${recorded.id}, vm-template marginal memory (summed host view per clone)`);
    expect(p.figures.templateMiB.value).toBeCloseTo(kind("vm-template").templateFile!.residentBytes / MIB, 10);
    expect(p.figures.templateMiB.value).toBeLessThan(128);
    expect(p.figures.templateMiB.source).toBe(`density run ${recorded.id}, the template's RAM file as tmpfs held it`);
    expect("source" in p && p.source).toMatch(
      /^Templated VMs: each clone's overhead is the vm-template marginal memory \(.+ per clone, density run\); the template, paid once, is the template's RAM file as tmpfs held it \(75 MiB of 128 MiB, st_blocks\)\.$/,
    );
  });

  it("a run from before the file was recorded stands a cold VM's measured marginal in for it, and says so", () => {
    const older = { ...run, result: { ...result, kinds: result.kinds.map((k) => (k.kind === "vm-template" ? { ...k, templateFile: undefined } : k)) } };
    const p = templatePlan(older);
    expect(p.figures?.templateMiB.value).toBe(kind("vm").marginal.chosenMiB);
    expect(p.figures?.templateMiB.source).toContain("a cold VM's marginal memory standing in for the template's RAM file");
    expect("source" in p && p.source).toContain("a cold VM's marginal memory, standing in for the template's RAM file");
  });

  it.each([
    ["no run", null],
    ["a run without vm-template", { ...run, result: { ...result, kinds: result.kinds.filter((k) => k.kind === "vm") } }],
    [
      "a vm-template kind with no marginal",
      { ...run, result: { ...result, kinds: result.kinds.map((k) => ({ ...k, marginal: { ...k.marginal, chosenMiB: null } })) } },
    ],
  ])("%s: not offered, with what to run — no figure stands in", (_, r) => {
    expect(templatePlan(r)).toEqual({ figures: null, why: TEMPLATE_UNMEASURED });
  });

  it("clones measured but neither the template's file nor a cold VM: not offered", () => {
    const only = { ...run, result: { ...result, kinds: result.kinds.filter((k) => k.kind === "vm-template").map((k) => ({ ...k, templateFile: null })) } };
    const p = templatePlan(only);
    expect(p.figures).toBeNull();
    expect("why" in p && p.why).toMatch(/^run the density experiment with vm-template to plan templated VMs \(this run measured neither/);
  });
});
