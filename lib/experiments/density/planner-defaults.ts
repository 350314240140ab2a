import type { PlannerInputValues } from "@/lib/schemas/planner";
import { GIB, MIB } from "@/lib/host/memory-guard";
import { MARGINAL_WORDS, type DensityResult } from "./types";

// The planner's starting values: this host's memory and the overheads a
// density run measured, or the figures measured on the development host
// (2 cores, 24 GiB, TCG) when no run has measured them here. Templated VMs
// are planned from a run's measurements only: no figure stands in for them.
// Pure.

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

/** Said where the template mode cannot be offered. */
export const TEMPLATE_UNMEASURED = "run the density experiment with vm-template to plan templated VMs";

const marginalOf = (result: DensityResult | null, kind: "container" | "vm" | "vm-template") =>
  result?.kinds.find((k) => k.kind === kind)?.marginal.chosenMiB ?? null;

/** Cold VMs: a run's measured overheads, the development host's without one. */
export function plannerDefaults(result: DensityResult | null, hostTotalBytes?: number): PlannerInputValues {
  const total = result?.host.totalBytes ?? hostTotalBytes;
  return {
    ...FALLBACK_PLANNER,
    hostGiB: total ? Math.round(total / GIB) : FALLBACK_PLANNER.hostGiB,
    containerOverheadMiB: marginalOf(result, "container") ?? FALLBACK_PLANNER.containerOverheadMiB,
    vmOverheadMiB: marginalOf(result, "vm") ?? FALLBACK_PLANNER.vmOverheadMiB,
  };
}

export type TemplatePlan = { defaults: PlannerInputValues; source: string } | { defaults: null; why: string };

/**
 * Templated VMs, from what the run measured: each clone's overhead is the
 * vm-template marginal; the template, paid once, is what tmpfs held for its
 * RAM file — or, for a run from before that was recorded, a cold VM's
 * marginal (a booted guest's memory, as the template is). Without those,
 * the mode is not offered, with what to run.
 */
export function templatePlan(result: DensityResult | null, hostTotalBytes?: number): TemplatePlan {
  const clones = result?.kinds.find((k) => k.kind === "vm-template");
  const clone = clones?.marginal.chosenMiB ?? null;
  if (!result || !clones || clone === null) return { defaults: null, why: TEMPLATE_UNMEASURED };
  const file = clones.templateFile;
  const cold = marginalOf(result, "vm");
  const template = file ? file.residentBytes / MIB : cold;
  if (template === null) return { defaults: null, why: `${TEMPLATE_UNMEASURED} (this run measured neither the template's RAM file nor a cold VM)` };
  const templateFrom = file
    ? `the template's RAM file as tmpfs held it (${(file.residentBytes / MIB).toFixed(0)} MiB of ${(file.sizeBytes / MIB).toFixed(0)} MiB, st_blocks)`
    : "a cold VM's marginal memory, standing in for the template's RAM file this run did not measure";
  return {
    defaults: { ...plannerDefaults(result, hostTotalBytes), vmOverheadMiB: clone, templateMiB: template },
    source: `Templated VMs: each clone's overhead is the vm-template marginal memory (${clones.marginal.chosenFrom ? MARGINAL_WORDS[clones.marginal.chosenFrom] : "fit"} per clone, density run); the template, paid once, is ${templateFrom}.`,
  };
}
