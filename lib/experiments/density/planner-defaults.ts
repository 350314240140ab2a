import type { PlannerInputValues } from "@/lib/schemas/planner";
import { GIB } from "@/lib/host/memory-guard";
import type { DensityResult } from "./types";

// The planner's starting values: this host's memory and the overheads a
// density run measured, or the figures measured on the development host
// (2 cores, 24 GiB, TCG) when no run has measured them here. Pure.

export const FALLBACK_PLANNER: PlannerInputValues = { hostGiB: 24, workloadMiB: 64, containerOverheadMiB: 0.25, vmOverheadMiB: 140, appsPerVm: 1 };

export function plannerDefaults(result: DensityResult | null, hostTotalBytes?: number): PlannerInputValues {
  const marginal = (kind: "container" | "vm") => result?.kinds.find((k) => k.kind === kind)?.marginal.chosenMiB ?? null;
  const total = result?.host.totalBytes ?? hostTotalBytes;
  return {
    ...FALLBACK_PLANNER,
    hostGiB: total ? Math.round(total / GIB) : FALLBACK_PLANNER.hostGiB,
    containerOverheadMiB: marginal("container") ?? FALLBACK_PLANNER.containerOverheadMiB,
    vmOverheadMiB: marginal("vm") ?? FALLBACK_PLANNER.vmOverheadMiB,
  };
}
