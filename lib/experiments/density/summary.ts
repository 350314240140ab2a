import type { ExperimentSample, SkippedKind } from "@/lib/experiments/types";
import { howManyFit, linearFit, type LinearFit } from "@/lib/core/linear-fit";
import { MIB, hostReserveBytes } from "@/lib/host/memory-guard";
import { median } from "@/lib/core/stats";
import { INSTANCE_KINDS, type InstanceKind } from "@/lib/core/types";
import { STOP_REASONS, type DensityKindResult, type DensityResult, type DensityStep, type Fits, type Marginal, type StopReason } from "./types";

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
  cap: "Isolab's instance or memory cap was reached",
  "start-failed": "an instance failed to start",
};

/**
 * The marginal memory capacity is extrapolated from: the larger of the two
 * usable estimates, so a plan errs towards fewer instances. MemAvailable is
 * used only when it fits a line well (R² ≥ MIN_R2) and rises.
 */
export function chooseMarginal(memAvailable: LinearFit | null, hostView: LinearFit | null): Pick<Marginal, "chosenMiB" | "chosenFrom" | "note"> {
  const memOk = memAvailable !== null && memAvailable.slope > 0 && (memAvailable.r2 ?? 0) >= MIN_R2;
  const viewOk = hostView !== null && hostView.slope > 0;
  const note =
    memAvailable && !memOk
      ? `MemAvailable did not follow the instance count (slope ${memAvailable.slope.toFixed(1)} MiB, R² ${memAvailable.r2?.toFixed(2) ?? "—"}): the rest of the host moved more than the instances did`
      : null;
  if (memOk && (!viewOk || memAvailable.slope >= hostView.slope)) return { chosenMiB: memAvailable.slope, chosenFrom: "memavailable", note };
  if (viewOk) return { chosenMiB: hostView.slope, chosenFrom: "host-view", note };
  return { chosenMiB: null, chosenFrom: null, note: note ?? "too few steps to fit a line" };
}

export function extrapolate(budgetBytes: number, marginalMiB: number | null, cpuPctPerInstance: number | null, cores: number): Fits {
  const byMemory = marginalMiB === null ? null : howManyFit(budgetBytes / MIB, marginalMiB);
  const byCpu = cpuPctPerInstance === null || cpuPctPerInstance < MIN_CPU_PCT ? null : howManyFit(cores * 100 * CPU_TARGET, cpuPctPerInstance);
  if (byMemory === null && byCpu === null) return { budgetBytes, byMemory, byCpu, count: null, bound: null };
  if (byCpu !== null && (byMemory === null || byCpu < byMemory)) return { budgetBytes, byMemory, byCpu, count: byCpu, bound: "cpu" };
  return { budgetBytes, byMemory, byCpu, count: byMemory, bound: "memory" };
}

function kindResult(kind: InstanceKind, samples: readonly ExperimentSample[], budgetMiB: number | undefined): DensityKindResult | undefined {
  const steps = samples.filter((s) => s.kind === kind && s.sample === "step" && !s.error).sort((a, b) => a.rep - b.rep);
  const base = steps.find((s) => s.rep === 0);
  if (!base) return undefined;
  const baseAvail = base.values.available_bytes;
  const rows: DensityStep[] = steps.map((s) => ({
    instances: s.rep,
    availableDropBytes: baseAvail - s.values.available_bytes,
    sumHostBytes: s.values.sum_host_bytes ?? 0,
    instanceHostBytes: s.rep === 0 ? null : (s.values.instance_host_bytes ?? null),
    instanceCpuPct: s.rep === 0 ? null : (s.values.instance_cpu_pct ?? null),
    sumCpuPct: s.values.sum_cpu_pct ?? 0,
    startupMs: s.rep === 0 ? null : (s.values.startup_ms ?? null),
  }));
  const fit = (y: (r: DensityStep) => number) => linearFit(rows.map((r) => ({ x: r.instances, y: y(r) })));
  const memAvailable = fit((r) => r.availableDropBytes / MIB);
  const hostView = fit((r) => r.sumHostBytes / MIB);
  const cpuPct = fit((r) => r.sumCpuPct);
  const marginal: Marginal = { memAvailable, hostView, cpuPct, ...chooseMarginal(memAvailable, hostView) };

  const reserve = hostReserveBytes(base.values.total_bytes);
  const hostBudget = Math.max(0, baseAvail - reserve);
  const budgetBytes = budgetMiB === undefined ? hostBudget : Math.min(hostBudget, budgetMiB * MIB);
  const cpuSlope = cpuPct && cpuPct.slope > 0 ? cpuPct.slope : null;
  const fits = extrapolate(budgetBytes, marginal.chosenMiB, cpuSlope, base.values.cores ?? 1);

  const startups = rows.map((r) => r.startupMs).filter((x): x is number => x !== null);
  const startupFit = linearFit(rows.filter((r) => r.startupMs !== null).map((r) => ({ x: r.instances, y: r.startupMs! })));
  const stop = samples.find((s) => s.kind === kind && s.sample === "stop");
  const reached = rows.length ? rows[rows.length - 1].instances : 0;
  const stopReason = stop ? (STOP_REASONS[stop.values.reason_code] ?? null) : null;
  const stopText = stopReason ? `${STOP_WORDS[stopReason]}${stop?.error ? `: ${stop.error}` : stopReason === "max" ? ` (${reached})` : ""}` : "the run ended before this kind finished";
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
  };
}

export function summarizeDensity(
  samples: readonly ExperimentSample[],
  plan: { kinds: readonly InstanceKind[]; budgetMiB?: number },
  skipped: readonly SkippedKind[],
): DensityResult {
  const kinds = INSTANCE_KINDS.filter((k) => plan.kinds.includes(k))
    .map((k) => kindResult(k, samples, plan.budgetMiB))
    .filter((k): k is DensityKindResult => k !== undefined);
  const chosen = (k: InstanceKind) => kinds.find((x) => x.kind === k)?.marginal.chosenMiB ?? null;
  const vm = chosen("vm");
  const ct = chosen("container");
  const first = samples.find((s) => s.sample === "step" && !s.error);
  const total = first?.values.total_bytes;
  return {
    type: "density",
    kinds,
    ratioVmToContainer: vm !== null && ct !== null && ct > 0 ? vm / ct : null,
    host: { totalBytes: total ?? null, reserveBytes: total ? hostReserveBytes(total) : null, cores: first?.values.cores ?? null },
    assumptions: [
      "Instances are idle: the probe waits, as a service between requests does. Busy instances add their workload's memory and CPU: use the planner.",
      "Marginal memory is the slope of a least-squares line through every step (instances vs memory), so one noisy step does not decide it.",
      `Of the two memory estimates — the host's MemAvailable drop and the sum of each instance's host view (cgroup usage for a container, PSS for a VM or process) — the larger one is used; MemAvailable only when it follows the instance count (R² ≥ ${MIN_R2}).`,
      "“Fits on this host” divides the memory available when the kind started, minus the host's reserve (the larger of 20 % of its memory and 2 GiB), by that marginal cost — and the CPU the instances use at idle into 80 % of the host's cores — whichever allows fewer.",
      "Memory is assumed linear in the instance count; page sharing between instances (the same kernel or image pages) is already in the measured slope.",
    ],
    skipped: [...skipped],
  };
}
