import { describe, expect, it } from "vitest";
import { planCapacity, type PlannerInput } from "./planner";
import { PlannerInputSchema } from "../schemas/planner";

const input = (over: Partial<PlannerInput> = {}): PlannerInput => ({
  hostGiB: 24,
  workloadMiB: 64,
  containerOverheadMiB: 1,
  vmOverheadMiB: 180,
  appsPerVm: 1,
  ...over,
});

describe("planCapacity", () => {
  it("keeps the experiments' reserve and divides the rest per kind", () => {
    const r = planCapacity(input());
    expect(r.hostMiB).toBe(24 * 1024);
    expect(r.reserveMiB).toBeCloseTo(24 * 1024 * 0.2, 6);
    expect(r.usableMiB).toBeCloseTo(24 * 1024 * 0.8, 6);
    // 19660.8 / 65 and / 244
    expect(r.containers).toEqual({ perInstanceMiB: 65, instances: 302, apps: 302 });
    expect(r.vms).toEqual({ perInstanceMiB: 244, instances: 80, apps: 80 });
    expect(r.appsRatio).toBeCloseTo(302 / 80, 10);
    expect(r.assumptions.join(" ")).toMatch(/reserve/);
  });

  it.each([
    // host, workload, c overhead, vm overhead, apps/VM → containers, VMs, apps in VMs
    [8, 128, 1, 180, 1, 47, 19, 19], // 8 GiB host: reserve is 2 GiB, 6144 MiB usable
    [8, 128, 1, 180, 4, 47, 8, 32], // 4 apps per VM: 692 MiB each
    [2, 128, 1, 180, 1, 0, 0, 0], // all of a 2 GiB host is reserve
    [64, 1024, 0.5, 200, 1, 51, 42, 42],
  ])("%d GiB, %d MiB workload, +%d / +%d MiB, %d per VM → %d containers, %d VMs (%d apps)", (hostGiB, workloadMiB, c, v, appsPerVm, cts, vms, vmApps) => {
    const r = planCapacity(input({ hostGiB, workloadMiB, containerOverheadMiB: c, vmOverheadMiB: v, appsPerVm }));
    expect(r.containers.instances).toBe(cts);
    expect(r.vms.instances).toBe(vms);
    expect(r.vms.apps).toBe(vmApps);
  });

  it("says nothing fits rather than dividing by zero", () => {
    const r = planCapacity(input({ workloadMiB: 0, containerOverheadMiB: 0, vmOverheadMiB: 0 }));
    expect(r.containers.instances).toBeNull();
    expect(r.vms.instances).toBeNull();
    expect(r.appsRatio).toBeNull();
  });

  it("has no ratio when no VM fits", () => {
    expect(planCapacity(input({ hostGiB: 2 })).appsRatio).toBeNull();
  });

  it("rounds a fractional apps-per-VM down and never below one", () => {
    expect(planCapacity(input({ appsPerVm: 0 })).vms.perInstanceMiB).toBe(244);
    expect(planCapacity(input({ appsPerVm: 2.7 })).vms.perInstanceMiB).toBe(2 * 64 + 180);
  });
});

describe("planCapacity with templated VMs", () => {
  it("pays the template's file once and each clone's own overhead", () => {
    const cold = planCapacity(input({ hostGiB: 8, workloadMiB: 128, containerOverheadMiB: 1, vmOverheadMiB: 180 }));
    const tpl = planCapacity(input({ hostGiB: 8, workloadMiB: 128, containerOverheadMiB: 1, vmOverheadMiB: 18, templateMiB: 180 }));
    // 8 GiB − 2 GiB reserve = 6144 MiB: cold 6144 / 308 = 19; template (6144 − 180) / 146 = 40.
    expect([cold.vms.instances, tpl.vms.instances]).toEqual([19, 40]);
    expect(tpl.assumptions.some((a) => /template's 180 MiB RAM file is paid once/.test(a))).toBe(true);
  });
});

describe("PlannerInputSchema", () => {
  it("accepts the form's values and refuses nonsense with the field named", () => {
    expect(PlannerInputSchema.parse(input())).toEqual({ templateMiB: 0, ...input() });
    const bad = PlannerInputSchema.safeParse(input({ hostGiB: 0, vmOverheadMiB: -1, appsPerVm: 1.5 }));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path[0]).sort()).toEqual(["appsPerVm", "hostGiB", "vmOverheadMiB"]);
  });
});
