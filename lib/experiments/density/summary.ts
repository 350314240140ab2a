import type { ExperimentSample, SkippedKind } from "@/lib/experiments/types";
import { howManyFit, linearFit, type LinearFit } from "@/lib/core/linear-fit";
import { MIB, hostReserveBytes } from "@/lib/host/memory-guard";
import { median } from "@/lib/core/stats";
import { DENSITY_KINDS, type DensityKind } from "./schema";
import { densityLimits } from "./limits";
import {
  STOP_REASONS,
  type DensityKindResult,
  type DensityResult,
  type DensityStep,
  type Fits,
  type Marginal,
  type MarginalSource,
  type StopReason,
} from "./types";
import { densityVerify } from "./verify";

// Raw density samples → marginal cost per kind, extrapolated capacity and
// the VM/container ratio. Pure; every number says what it assumed.

/** Below this R² the MemAvailable fit is called noise (the rest of the host moved more than the instances). */
export const MIN_R2 = 0.8;
/** CPU is extrapolated to this share of the host's cores, leaving room for the host itself. */
export const CPU_TARGET = 0.8;
/** A marginal CPU below this (% of a core per instance) is "not measurable at idle". */
export const MIN_CPU_PCT = 0.05;

const STOP_WORDS: Record<StopReason, string> = {
  max: "reached the planned maximum",
  reserve: "the next instance would have taken the host into its memory reserve",
  budget: "the next instance would have exceeded the run's memory budget",
  cap: "Isolab's instance or memory cap was reached (raise ISOLAB_MAX_INSTANCES or ISOLAB_MAX_MEMORY_MIB for the server or the CLI)",
  "start-failed": "an instance failed to start",
};

const usable = (f: LinearFit | null | undefined): f is LinearFit => !!f && f.slope > 0;
const fitWords = (f: LinearFit) => `${f.slope.toFixed(2)} MiB${f.r2 !== null ? `, R² ${f.r2.toFixed(2)}` : ""}`;

/**
 * The marginal memory capacity is extrapolated from: the largest usable
 * estimate, so a plan errs towards fewer instances. MemAvailable counts
 * everything the host lost (the cgroups, the kernel's structures outside
 * them, the runtime's files) and is used when it fits a line well
 * (R² ≥ MIN_R2) and rises; the cgroup sum and the kernel structures each
 * miss what the other counts.
 */
export function chooseMarginal(
  memAvailable: LinearFit | null,
  hostView: LinearFit | null,
  kernel: LinearFit | null = null,
): Pick<Marginal, "chosenMiB" | "chosenFrom" | "note" | "why"> {
  const memOk = usable(memAvailable) && (memAvailable.r2 ?? 0) >= MIN_R2;
  const note =
    memAvailable && !memOk
      ? `MemAvailable did not follow the instance count (slope ${memAvailable.slope.toFixed(1)} MiB, R² ${memAvailable.r2?.toFixed(2) ?? "—"}): the rest of the host moved more than the instances did`
      : null;
  const candidates: [MarginalSource, LinearFit][] = [];
  if (memOk) candidates.push(["memavailable", memAvailable]);
  if (usable(hostView)) candidates.push(["host-view", hostView]);
  if (usable(kernel)) candidates.push(["kernel", kernel]);
  if (!candidates.length)
    return {
      chosenMiB: null,
      chosenFrom: null,
      note: note ?? "too few steps to fit a line",
      why: "nothing to choose: no estimate rose with the instance count",
    };
  const [from, f] = candidates.reduce((a, b) => (b[1].slope > a[1].slope ? b : a));
  const why =
    from === "memavailable"
      ? `MemAvailable (${fitWords(f)}): it counts everything the host lost — cgroups, kernel structures outside them, the runtime's files — and it followed the instance count`
      : `${from === "host-view" ? "the sum of the instances' host views" : "the kernel structures' growth"} (${fitWords(f)}): ${
          memOk
            ? "larger than the MemAvailable slope, so a plan errs towards fewer instances"
            : "the larger of the two partial measures while MemAvailable was noise — a lower bound, each misses what the other counts"
        }`;
  return { chosenMiB: f.slope, chosenFrom: from, note, why };
}

export function extrapolate(budgetBytes: number, marginalMiB: number | null, cpuPctPerInstance: number | null, cores: number): Fits {
  const byMemory = marginalMiB === null ? null : howManyFit(budgetBytes / MIB, marginalMiB);
  const byCpu = cpuPctPerInstance === null || cpuPctPerInstance < MIN_CPU_PCT ? null : howManyFit(cores * 100 * CPU_TARGET, cpuPctPerInstance);
  if (byMemory === null && byCpu === null) return { budgetBytes, byMemory, byCpu, count: null, bound: null };
  if (byCpu !== null && (byMemory === null || byCpu < byMemory)) return { budgetBytes, byMemory, byCpu, count: byCpu, bound: "cpu" };
  return { budgetBytes, byMemory, byCpu, count: byMemory, bound: "memory" };
}

/** Slab + PageTables + KernelStack + Percpu of a step; null when the step did not read them. */
function kernelBytes(v: Record<string, number>): number | null {
  if (v.slab_bytes === undefined) return null;
  return v.slab_bytes + (v.pagetables_bytes ?? 0) + (v.kernelstack_bytes ?? 0) + (v.percpu_bytes ?? 0);
}

/** The template's RAM file as the run found it before the baseline (sample `template`). */
function templateFileOf(mine: readonly ExperimentSample[]): DensityKindResult["templateFile"] {
  const t = mine.find((s) => s.sample === "template" && !s.error);
  const v = t?.values;
  return v && v.resident_bytes !== undefined && v.size_bytes !== undefined ? { residentBytes: v.resident_bytes, sizeBytes: v.size_bytes } : null;
}

function kindResult(kind: DensityKind, samples: readonly ExperimentSample[], budgetMiB: number | undefined): DensityKindResult | undefined {
  const mine = samples.filter((s) => s.kind === kind);
  const steps = mine.filter((s) => s.sample === "step" && !s.error).sort((a, b) => a.rep - b.rep);
  const base = steps.find((s) => s.rep === 0);
  if (!base) return undefined;
  const baseAvail = base.values.available_bytes;
  const baseKernel = kernelBytes(base.values);
  const delta = (now: number | null | undefined, then: number | null | undefined) =>
    now === null || now === undefined || then === null || then === undefined ? null : now - then;
  const rows: DensityStep[] = steps.map((s) => ({
    instances: s.rep,
    availableDropBytes: baseAvail - s.values.available_bytes,
    othersDeltaBytes: delta(s.values.others_anon_bytes, base.values.others_anon_bytes),
    kernelDeltaBytes: delta(kernelBytes(s.values), baseKernel),
    sUnreclaimDeltaBytes: delta(s.values.sunreclaim_bytes, base.values.sunreclaim_bytes),
    sumHostBytes: s.values.sum_host_bytes ?? 0,
    instanceHostBytes: s.rep === 0 ? null : (s.values.instance_host_bytes ?? null),
    instanceCpuPct: s.rep === 0 ? null : (s.values.instance_cpu_pct ?? null),
    sumCpuPct: s.values.sum_cpu_pct ?? 0,
    startupMs: s.rep === 0 ? null : (s.values.startup_ms ?? null),
  }));
  const fit = (y: (r: DensityStep) => number) => linearFit(rows.map((r) => ({ x: r.instances, y: y(r) })));
  // The rest of a shared host allocates too: its processes' anonymous memory is taken out when it was read.
  const othersRead = base.values.others_anon_bytes !== undefined;
  const memAvailable = fit((r) => (r.availableDropBytes - (r.othersDeltaBytes ?? 0)) / MIB);
  const memAvailableRaw = othersRead ? fit((r) => r.availableDropBytes / MIB) : undefined;
  const hostView = fit((r) => r.sumHostBytes / MIB);
  const kernel = baseKernel === null ? null : fit((r) => (r.kernelDeltaBytes === null ? NaN : r.kernelDeltaBytes / MIB));
  const cpuPct = fit((r) => r.sumCpuPct);
  const marginal: Marginal = {
    memAvailable,
    ...(memAvailableRaw !== undefined ? { memAvailableRaw } : {}),
    hostView,
    kernel,
    cpuPct,
    ...chooseMarginal(memAvailable, hostView, kernel),
  };

  const reserve = hostReserveBytes(base.values.total_bytes);
  const hostBudget = Math.max(0, baseAvail - reserve);
  const budgetBytes = budgetMiB === undefined ? hostBudget : Math.min(hostBudget, budgetMiB * MIB);
  const cpuSlope = cpuPct && cpuPct.slope > 0 ? cpuPct.slope : null;
  const fits = extrapolate(budgetBytes, marginal.chosenMiB, cpuSlope, base.values.cores ?? 1);

  const startups = rows.map((r) => r.startupMs).filter((x): x is number => x !== null);
  const startupFit = linearFit(rows.filter((r) => r.startupMs !== null).map((r) => ({ x: r.instances, y: r.startupMs! })));
  const stop = mine.find((s) => s.sample === "stop");
  const reached = rows.length ? rows[rows.length - 1].instances : 0;
  const stopReason = stop ? (STOP_REASONS[stop.values.reason_code] ?? null) : null;
  const stopText = stopReason
    ? `${STOP_WORDS[stopReason]}${stop?.error ? `: ${stop.error}` : stopReason === "max" ? ` (${reached})` : ""}`
    : "the run ended before this kind finished";
  return {
    kind,
    accel: steps.find((s) => s.accel)?.accel,
    reached,
    stopReason,
    stopText,
    baselineAvailableBytes: baseAvail,
    steps: rows,
    marginal,
    startup: {
      firstMs: startups[0] ?? null,
      lastMs: startups.length ? startups[startups.length - 1] : null,
      medianMs: startups.length ? median(startups) : null,
      slopeMsPerInstance: startupFit?.slope ?? null,
    },
    fits,
    limits: densityLimits(mine, fits, marginal.chosenMiB),
    verify: densityVerify(mine, reached, stopReason),
    ...(kind === "vm-template" ? { templateFile: templateFileOf(mine) } : {}),
  };
}

export function summarizeDensity(
  samples: readonly ExperimentSample[],
  plan: { kinds: readonly DensityKind[]; budgetMiB?: number },
  skipped: readonly SkippedKind[],
): DensityResult {
  const kinds = DENSITY_KINDS.filter((k) => plan.kinds.includes(k))
    .map((k) => kindResult(k, samples, plan.budgetMiB))
    .filter((k): k is DensityKindResult => k !== undefined);
  const chosen = (k: DensityKind) => kinds.find((x) => x.kind === k)?.marginal.chosenMiB ?? null;
  const vm = chosen("vm");
  const ct = chosen("container");
  const first = samples.find((s) => s.sample === "step" && !s.error);
  const total = first?.values.total_bytes;
  return {
    type: "density",
    kinds,
    ratioVmToContainer: vm !== null && ct !== null && ct > 0 ? vm / ct : null,
    ratioTemplateToVm: vm !== null && chosen("vm-template") !== null && vm > 0 ? chosen("vm-template")! / vm : null,
    host: { totalBytes: total ?? null, reserveBytes: total ? hostReserveBytes(total) : null, cores: first?.values.cores ?? null },
    assumptions: [
      "Instances are idle: the probe waits, as a service between requests does. Busy instances add their workload's memory and CPU: use the planner.",
      "Marginal memory is the slope of a least-squares line through every step (instances vs memory), so one noisy step does not decide it.",
      `Of the memory estimates — the host's MemAvailable drop, the sum of each instance's host view (cgroup usage for a container, PSS for a VM or process) and the growth of the kernel's own structures (Slab + PageTables + KernelStack + Percpu in /proc/meminfo) — the largest is used; MemAvailable only when it follows the instance count (R² ≥ ${MIN_R2}).`,
      "On a shared host the MemAvailable drop is taken less what every other process allocated meanwhile (the change of their RssAnon), when the run read it; the raw fit is shown beside it.",
      "The first limit compares memory with Isolab's caps, pid_max and threads-max (at the tasks each instance was measured to run) and the namespace limits (at the namespaces each instance was seen to have of its own); Isolab's caps count only this run's instances.",
      "“Fits on this host” divides the memory available when the kind started, minus the host's reserve (the larger of 20 % of its memory and 2 GiB), by that marginal cost — and the CPU the instances use at idle into 80 % of the host's cores — whichever allows fewer.",
      "Memory is assumed linear in the instance count; page sharing between instances (the same kernel or image pages) is already in the measured slope.",
      "Templated VMs (vm-template) map their template's RAM file copy-on-write: the template's file itself (its guest memory, once) is on /dev/shm before the first clone and is not in the slope — what tmpfs holds for it is measured apart (its allocated blocks), to be paid once; each clone pays for the pages it changes.",
    ],
    skipped: [...skipped],
  };
}
