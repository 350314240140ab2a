import type { PlannerInputValues } from "@/lib/schemas/planner";
import { GIB, MIB } from "@/lib/host/memory-guard";
import { MARGINAL_WORDS, type DensityKindResult, type DensityResult } from "./types";

// The planner's starting figures, each with where it came from: the
// overheads a density run measured on this host, this host's memory
// (MemTotal), and the workload planned for (the user's choice, with a
// starting value said to be theirs). An overhead no run measured starts
// empty, and the planner asks for a run or the user's own number: no
// figure from another host stands in for it. Pure.

export type PlannerField = keyof PlannerInputValues;

export const PLANNER_FIELDS: readonly { key: PlannerField; label: string; unit?: string; step: number }[] = [
  { key: "hostGiB", label: "Host memory", unit: "GiB", step: 1 },
  { key: "workloadMiB", label: "Workload memory", unit: "MiB", step: 1 },
  { key: "containerOverheadMiB", label: "Container overhead", unit: "MiB", step: 0.01 },
  { key: "vmOverheadMiB", label: "VM overhead", unit: "MiB", step: 1 },
  { key: "appsPerVm", label: "Apps per VM", step: 1 },
  { key: "templateMiB", label: "Template file", unit: "MiB", step: 1 },
];

export interface PlannerFigure {
  /** null: nothing measured it here, so the field starts empty. */
  value: number | null;
  /** Where the value came from, as the line under the form says it. */
  source: string;
}

export type PlannerFigures = Record<PlannerField, PlannerFigure>;

/** A finished density run and how the planner names it ("density run x… (date)", "this run (x…)"). */
export interface PlannerRun {
  result: DensityResult;
  label: string;
}

/** The source of a number the user typed over a starting figure (or into an empty field). */
export const TYPED = "typed by you";
/** The source of an overhead no density run measured here. */
export const NOT_MEASURED = "not measured on this host";
/** What the planner asks for when an overhead is missing. */
export const RUN_OR_TYPE = "run the density experiment to measure them here, or type your own numbers";

/** Said where the template mode cannot be offered. */
export const TEMPLATE_UNMEASURED = "run the density experiment with vm-template to plan templated VMs";

const kindOf = (result: DensityResult | null | undefined, kind: DensityKindResult["kind"]) => result?.kinds.find((k) => k.kind === kind);

const perWhat = (k: DensityKindResult, per: string) => `${k.marginal.chosenFrom ? MARGINAL_WORDS[k.marginal.chosenFrom] : "fit"} per ${per}`;

/** A kind's measured marginal memory as a figure, or the empty one with why. */
function marginal(run: PlannerRun | null, kind: "container" | "vm", what: string, per: string): PlannerFigure {
  const k = kindOf(run?.result, kind);
  if (!run || !k || k.marginal.chosenMiB === null) return { value: null, source: NOT_MEASURED };
  return { value: k.marginal.chosenMiB, source: `${run.label}, ${what} marginal memory (${perWhat(k, per)})` };
}

/**
 * Cold VMs: the run's measured overheads (a kind it did not measure starts
 * empty), the host's memory — `hostTotalBytes` is this host's MemTotal read
 * now; without it, the run's reading of it — and the user's workload.
 */
export function plannerFigures(run: PlannerRun | null, hostTotalBytes?: number): PlannerFigures {
  const runTotal = run?.result.host.totalBytes ?? null;
  const hostGiB: PlannerFigure = hostTotalBytes
    ? { value: hostTotalBytes / GIB, source: "this host's MemTotal" }
    : run && runTotal
      ? { value: runTotal / GIB, source: `this host's MemTotal, as ${run.label} read it` }
      : { value: null, source: NOT_MEASURED };
  const yours = "your choice (a starting value, not a measurement)";
  return {
    hostGiB,
    workloadMiB: { value: 64, source: yours },
    containerOverheadMiB: marginal(run, "container", "container", "container"),
    vmOverheadMiB: marginal(run, "vm", "cold VM", "VM"),
    appsPerVm: { value: 1, source: yours },
    templateMiB: { value: 0, source: "none: cold VMs have no template" },
  };
}

export type TemplatePlan = { figures: Pick<PlannerFigures, "vmOverheadMiB" | "templateMiB">; source: string } | { figures: null; why: string };

/**
 * Templated VMs, from what the run measured: each clone's overhead is the
 * vm-template marginal; the template, paid once, is what tmpfs held for its
 * RAM file — or, for a run from before that was recorded, a cold VM's
 * marginal (a booted guest's memory, as the template is). Without those,
 * the mode is not offered, with what to run.
 */
export function templatePlan(run: PlannerRun | null): TemplatePlan {
  const clones = kindOf(run?.result, "vm-template");
  const clone = clones?.marginal.chosenMiB ?? null;
  if (!run || !clones || clone === null) return { figures: null, why: TEMPLATE_UNMEASURED };
  const file = clones.templateFile;
  const cold = kindOf(run.result, "vm")?.marginal.chosenMiB ?? null;
  const template = file ? file.residentBytes / MIB : cold;
  if (template === null) return { figures: null, why: `${TEMPLATE_UNMEASURED} (this run measured neither the template's RAM file nor a cold VM)` };
  const templateFrom = file
    ? `the template's RAM file as tmpfs held it (${(file.residentBytes / MIB).toFixed(0)} MiB of ${(file.sizeBytes / MIB).toFixed(0)} MiB, st_blocks)`
    : "a cold VM's marginal memory, standing in for the template's RAM file this run did not measure";
  return {
    figures: {
      vmOverheadMiB: { value: clone, source: `${run.label}, vm-template marginal memory (${perWhat(clones, "clone")})` },
      templateMiB: {
        value: template,
        source: file
          ? `${run.label}, the template's RAM file as tmpfs held it`
          : `${run.label}, a cold VM's marginal memory standing in for the template's RAM file`,
      },
    },
    source: `Templated VMs: each clone's overhead is the vm-template marginal memory (${perWhat(clones, "clone")}, density run); the template, paid once, is ${templateFrom}.`,
  };
}

/** "Host memory: this host's MemTotal. Container overhead, VM overhead: density run x… ." — each source once, naming the fields it gave. */
export function sourceLine(sources: Record<PlannerField, string>): string {
  const groups = new Map<string, string[]>();
  for (const f of PLANNER_FIELDS) groups.set(sources[f.key], [...(groups.get(sources[f.key]) ?? []), f.label]);
  return [...groups].map(([source, labels]) => `${labels.join(", ")}: ${source}.`).join(" ");
}
