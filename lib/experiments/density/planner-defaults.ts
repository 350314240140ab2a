import type { PlannerInputValues } from "@/lib/schemas/planner";
import { GIB } from "@/lib/host/memory-guard";
import type { DensityResult } from "./types";

// The planner's starting values: this host's memory and the overheads a
// density run measured, or the figures measured on the development host
// (2 cores, 24 GiB, TCG) when no run has measured them here. Pure.

export const FALLBACK_PLANNER: PlannerInputValues = {
  hostGiB: 24,
  workloadMiB: 64,
  containerOverheadMiB: 0.25,
  vmOverheadMiB: 140,
  appsPerVm: 1,
  templateMiB: 0,
};

/** The VM start mode the planner plans for: cold VMs, or clones of a shared-memory template. */
export type PlannerVmMode = "cold" | "template";

export function plannerDefaults(result: DensityResult | null, hostTotalBytes?: number, mode: PlannerVmMode = "cold"): PlannerInputValues {
  const marginal = (kind: "container" | "vm" | "vm-template") => result?.kinds.find((k) => k.kind === kind)?.marginal.chosenMiB ?? null;
  const total = result?.host.totalBytes ?? hostTotalBytes;
  const cold = marginal("vm") ?? FALLBACK_PLANNER.vmOverheadMiB;
  return {
    ...FALLBACK_PLANNER,
    hostGiB: total ? Math.round(total / GIB) : FALLBACK_PLANNER.hostGiB,
    containerOverheadMiB: marginal("container") ?? FALLBACK_PLANNER.containerOverheadMiB,
    // Unmeasured here: a clone is assumed to cost a tenth of a cold VM (the target), and its template a cold VM once.
    vmOverheadMiB: mode === "template" ? (marginal("vm-template") ?? cold / 10) : cold,
    templateMiB: mode === "template" ? cold : 0,
  };
}

/** Whether a density run measured templated VMs, so the planner can offer that mode from measurements. */
export const measuredTemplate = (result: DensityResult | null) => result?.kinds.some((k) => k.kind === "vm-template" && k.marginal.chosenMiB !== null) ?? false;
