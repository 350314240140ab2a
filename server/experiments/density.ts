import "server-only";
import { DENSITY_EACH_UP_TO, DENSITY_MAX_VM, type DensityPlan } from "@/lib/experiments/density/schema";
import { measurePoints, scheduleFor } from "@/lib/experiments/density/schedule";
import { summarizeDensity } from "@/lib/experiments/density/summary";
import { MARGINAL_SOURCES, STOP_REASONS, type MarginalSource, type StopReason } from "@/lib/experiments/density/types";
import { predictCount } from "@/lib/experiments/density/verify";
import { NAMESPACE_TYPES } from "@/lib/host/kernel-limits";
import { MIB, hostReserveBytes, reserveRefusal, type HostMemory } from "@/lib/host/memory-guard";
import { cpuPercent, kernelStructuresBytes } from "@/lib/host/procfs";
import type { Instance } from "@/lib/core/types";
import type { DensityKind } from "@/lib/experiments/density/schema";
import { launchRequest } from "@/lib/core/kinds";
import { hostProbes, type HostProbes } from "./host-probes";
import { errorMessage, isMissingDependency, statusOf, type RunContext } from "./context";
import { QEMU_OVERHEAD_MIB } from "./isolation";

// The density scenario (lib/experiments/density/types.ts for what it records): per kind,
// start instances of the image and, at the schedule's counts (each one, or 1, 2, 5,
// 10, 20, 50 …), let them settle and measure what the host lost (MemAvailable, the
// kernel's own structures, its tasks) and what every live instance costs (host
// view, CPU over a window, pids). The reserve and the budget are checked before
// every start; the run goes on until the planned count, the run's budget,
// Isolab's caps or the host's reserve says stop. With a budget, the run predicts
// once half of it is used and then checks the prediction by using it all.
// Kinds run one after another and each kind's instances are removed before the next.

/** What the first instance of a kind is assumed to take, before anything is measured (MiB). */
export function firstGuessMiB(kind: DensityKind, memoryMiB: number): number {
  // A template clone could, at worst, copy every page of its guest RAM.
  return kind === "vm" || kind === "vm-template" ? memoryMiB + QEMU_OVERHEAD_MIB : kind === "container" ? 32 : 16;
}

export function maxFor(plan: DensityPlan, kind: DensityKind): number {
  return kind === "vm" || kind === "vm-template" ? Math.min(plan.max, plan.maxVm ?? DENSITY_MAX_VM.max) : plan.max;
}

/** The supervisor's kind and start mode of a density kind: a templated VM is a vm started as a template clone. */
const startAs = (kind: DensityKind) => {
  const r = launchRequest(kind);
  return { kind: r.kind, over: r.startMode ? { startMode: r.startMode } : {} };
};

/**
 * A templated VM's template (its RAM file on /dev/shm, its boot) is a
 * one-off cost, not a clone's: one clone is started and removed before the
 * baseline, so the slope counts clones only. The file stays on /dev/shm for
 * later clones; what tmpfs holds for it is recorded (sample `template`), so
 * Figure 2.1 and the planner pay it once from a measurement.
 */
async function prepareKind(ctx: RunContext<DensityPlan>, kind: DensityKind, probes: HostProbes): Promise<void> {
  if (kind !== "vm-template") return;
  const { kind: k, over } = startAs(kind);
  const first = await ctx.startInstance(k, ctx.instanceName(kind, "tpl"), over);
  let file: ReturnType<HostProbes["templateFile"]> = null;
  let why = "the clone mapped no RAM file of its guest's size";
  try {
    file = probes.templateFile(ctx.usageTarget(first), ctx.plan.memoryMiB);
  } catch (err) {
    why = `the clone's RAM file could not be read: ${errorMessage(err)}`;
  } finally {
    await ctx.removeInstance(first.id);
  }
  await ctx.settle();
  const values: Record<string, number> = file ? { resident_bytes: file.residentBytes, size_bytes: file.sizeBytes } : {};
  ctx.record({ kind, sample: "template", rep: 0, warmup: false, values, ...(file ? {} : { error: why }) });
}

const REMOVE_BATCH = 16;

/**
 * The processes whose anonymous memory is "the rest of the host": all but the run's
 * instances and this process — Isolab's own bookkeeping per instance is part of the cost.
 */
const othersExcept = (instancePids: number[]) => [...instancePids, process.pid];

interface Stop {
  reason: StopReason;
  error?: string;
  values?: Record<string, number>;
}

function kernelValues(probes: HostProbes): Record<string, number> {
  const k = probes.kernelMemory();
  return {
    slab_bytes: k.slabBytes,
    sreclaimable_bytes: k.sReclaimableBytes,
    sunreclaim_bytes: k.sUnreclaimBytes,
    pagetables_bytes: k.pageTablesBytes,
    kernelstack_bytes: k.kernelStackBytes,
    percpu_bytes: k.percpuBytes,
    host_tasks: probes.hostTasks(),
  };
}

function recordLimits(ctx: RunContext<DensityPlan>, kind: DensityKind, probes: HostProbes): void {
  const { kernel, isolab } = probes.hostLimits();
  const values: Record<string, number> = {
    pid_max: kernel.pidMax,
    threads_max: kernel.threadsMax,
    host_tasks: kernel.threadsInUse,
    isolab_max_instances: isolab.maxInstances,
    isolab_max_memory_mib: isolab.maxMemoryMiB,
    memory_mib: ctx.plan.memoryMiB,
  };
  for (const t of NAMESPACE_TYPES) {
    const ns = kernel.namespaces[t];
    if (ns) Object.assign(values, { [`max_${t}_namespaces`]: ns.max, [`${t}_namespaces`]: ns.inUse });
  }
  ctx.record({ kind, sample: "limits", rep: 0, warmup: false, values });
}

/** Settle, then measure every live instance and the host at `n` instances; records a step. */
async function measure(ctx: RunContext<DensityPlan>, kind: DensityKind, live: Instance[], probes: HostProbes, cores: number) {
  const { plan, clock } = ctx;
  const n = live.length;
  const last = live[n - 1];
  await ctx.sleep(plan.settleMs);
  const targets = live.map((i) => ctx.usageTarget(i));
  const before = await Promise.all(targets.map((t) => ctx.readHostUsage(t)));
  const t0 = clock.now();
  await ctx.sleep(plan.cpuWindowMs);
  const after = await Promise.all(targets.map((t) => ctx.readHostUsage(t)));
  const windowMs = clock.now() - t0;
  const now = probes.hostMemory();
  const others = probes.othersAnonBytes(othersExcept(targets.map((t) => t.pid)));
  const cpu = after.map((a, i) => cpuPercent(before[i].cpuNs, a.cpuNs, windowMs));
  const sumHost = after.reduce((a, u) => a + u.memoryBytes, 0);
  const footprints = targets.map((t) => probes.instanceFootprint(t));
  const ns = footprints[n - 1].namespaces;
  const values: Record<string, number> = {
    instances: n,
    available_bytes: now.availableBytes,
    total_bytes: now.totalBytes,
    sum_host_bytes: sumHost,
    instance_host_bytes: after[n - 1].memoryBytes,
    instance_cpu_pct: cpu[n - 1],
    sum_cpu_pct: cpu.reduce((a, b) => a + b, 0),
    window_ms: windowMs,
    cores,
    ...kernelValues(probes),
    others_anon_bytes: others,
    tasks_sum: footprints.reduce((a, f) => a + f.tasks, 0),
    ...Object.fromEntries(NAMESPACE_TYPES.filter((t) => ns[t] !== undefined).map((t) => [`ns_${t}`, ns[t]!])),
  };
  if (last.startup) values.startup_ms = last.startup.totalMs;
  ctx.record({ kind, sample: "step", rep: n, warmup: false, accel: last.accel, values });
  return { now, sumHost, others };
}

/** Instances measured at least, before a budget's prediction is made: one or two starts say little. */
const MIN_CALIBRATION = 10;

/** The marginal the summary would choose from the samples so far, and where it came from. */
function marginalSoFar(ctx: RunContext<DensityPlan>, kind: DensityKind): { miB: number; from: MarginalSource } | null {
  const m = summarizeDensity(ctx.samples, { kinds: [kind] }, []).kinds[0]?.marginal;
  return m && m.chosenMiB !== null && m.chosenFrom !== null ? { miB: m.chosenMiB, from: m.chosenFrom } : null;
}

export async function runDensity(ctx: RunContext<DensityPlan>, probes: HostProbes = hostProbes): Promise<void> {
  const { plan } = ctx;
  const cores = probes.cores();
  const total = plan.kinds.reduce((a, k) => a + maxFor(plan, k), 0);
  const budgetBytes = plan.budgetMiB === undefined ? null : plan.budgetMiB * MIB;
  let done = 0;
  ctx.progress(0, total, "starting");

  for (const kind of plan.kinds) {
    const live: Instance[] = [];
    const max = maxFor(plan, kind);
    const points = new Set(measurePoints(max, scheduleFor(max, plan.schedule, DENSITY_EACH_UP_TO)));
    try {
      await prepareKind(ctx, kind, probes);
      // The previous kind's memory is handed back while this settles.
      await ctx.sleep(plan.settleMs);
      const base = probes.hostMemory();
      const baseOthers = probes.othersAnonBytes(othersExcept([]));
      // What the instances took: MemAvailable's drop less what the rest of the host allocated meanwhile.
      const takenSince = (availableBytes: number, othersBytes: number) => base.availableBytes - availableBytes - (othersBytes - baseOthers);
      // One reading between two of the others: a process that came or went in between counts for the instances' benefit.
      const takenNow = () => {
        const pids = othersExcept(live.map((i) => ctx.usageTarget(i).pid));
        const before = probes.othersAnonBytes(pids);
        const host = probes.hostMemory();
        return { host, used: takenSince(host.availableBytes, Math.max(before, probes.othersAnonBytes(pids))) };
      };
      recordLimits(ctx, kind, probes);
      ctx.record({
        kind,
        sample: "step",
        rep: 0,
        warmup: false,
        values: {
          instances: 0,
          available_bytes: base.availableBytes,
          total_bytes: base.totalBytes,
          sum_host_bytes: 0,
          sum_cpu_pct: 0,
          cores,
          ...kernelValues(probes),
          others_anon_bytes: baseOthers,
          tasks_sum: 0,
        },
      });
      const guess = firstGuessMiB(kind, plan.memoryMiB) * MIB;
      let perInstance = guess;
      let measured = 0;
      // After the prediction, the budget is counted by the meter the prediction came from.
      let meter: MarginalSource | null = null;
      let meterMarginal = 0;
      const baseKernel = kernelStructuresBytes(probes.kernelMemory());
      const budgetUsed = async (): Promise<{ host: HostMemory; used: number }> => {
        if (meter === "kernel") return { host: probes.hostMemory(), used: kernelStructuresBytes(probes.kernelMemory()) - baseKernel };
        if (meter === "host-view") {
          const usage = await Promise.all(live.map((i) => ctx.readHostUsage(ctx.usageTarget(i))));
          return { host: probes.hostMemory(), used: usage.reduce((a, u) => a + u.memoryBytes, 0) };
        }
        return takenNow();
      };
      let stop: Stop = { reason: "max" };
      for (let n = 1; n <= max; n++) {
        let { host, used } = budgetBytes === null ? { host: probes.hostMemory(), used: 0 } : await budgetUsed();
        const refusal = reserveRefusal(host, perInstance, `${kind} #${n}`);
        if (refusal) {
          stop = {
            reason: "reserve",
            error: refusal,
            values: { available_bytes: host.availableBytes, need_bytes: perInstance, reserve_bytes: hostReserveBytes(host.totalBytes) },
          };
          break;
        }
        if (budgetBytes !== null && used + (meter ? meterMarginal : perInstance) > budgetBytes) {
          // A shared host's allocations come and go: the budget stops the run only when a second look agrees.
          await ctx.sleep(plan.settleMs);
          ({ host, used } = await budgetUsed());
        }
        if (budgetBytes !== null && used + (meter ? meterMarginal : perInstance) > budgetBytes) {
          stop = {
            reason: "budget",
            error: `${Math.round(used / MIB)} MiB taken${meter ? ` (by ${meter})` : ""} and about ${Math.round((meter ? meterMarginal : perInstance) / MIB)} MiB more needed, over the budget of ${plan.budgetMiB} MiB`,
            values: { used_bytes: used, need_bytes: meter ? meterMarginal : perInstance },
          };
          break;
        }
        try {
          live.push(await ctx.startInstance(startAs(kind).kind, ctx.instanceName(kind, n), startAs(kind).over));
        } catch (err) {
          ctx.throwIfAborted();
          if (isMissingDependency(err)) ctx.skip(kind, errorMessage(err));
          stop = { reason: statusOf(err) === 429 ? "cap" : "start-failed", error: errorMessage(err) };
          break;
        }
        ctx.progress(++done, total, `${kind}: ${n} running`);
        if (!points.has(n)) continue;
        const { now, sumHost, others } = await measure(ctx, kind, live, probes, cores);
        measured = n;
        // The next start is checked against the most any measure says one instance costs; a VM may
        // still grow into its guest RAM, so its first guess stays a floor, a container's does not.
        const seen = Math.max(takenSince(now.availableBytes, others) / n, sumHost / n);
        perInstance = kind === "vm" ? Math.max(perInstance, seen) : Math.max(seen, MIB / 4);
        if (budgetBytes === null || meter !== null) continue;
        // Predict once the measured marginal says half the budget is used; until then, measure
        // again where it says that will be, so the prediction is made there and not at the end.
        const so = marginalSoFar(ctx, kind);
        if (!so) continue;
        const half = Math.ceil(budgetBytes / 2 / MIB / so.miB);
        if (n >= MIN_CALIBRATION && n >= half) {
          meter = so.from;
          const predictedCount = predictCount(budgetBytes, so.miB)!;
          const { used: usedNow } = await budgetUsed();
          ctx.record({
            kind,
            sample: "verify",
            rep: n,
            warmup: false,
            values: {
              budget_bytes: budgetBytes,
              used_bytes: usedNow,
              marginal_bytes: so.miB * MIB,
              predicted_count: predictedCount,
              from_code: MARGINAL_SOURCES.indexOf(so.from),
            },
          });
          meterMarginal = so.miB * MIB;
        } else if (half > n && half <= max) points.add(Math.max(half, MIN_CALIBRATION));
      }
      // The count the run stopped at is always measured (a geometric schedule may have skipped it).
      if (live.length > measured) await measure(ctx, kind, live, probes, cores);
      ctx.record({
        kind,
        sample: "stop",
        rep: live.length,
        warmup: false,
        values: { reason_code: STOP_REASONS.indexOf(stop.reason), instances: live.length, ...stop.values },
        error: stop.error,
      });
    } finally {
      // All of this kind go before the next kind is measured, a few at a time (hundreds of
      // runtime calls at once would swamp a small host); cleanup() retries what fails here.
      for (let i = 0; i < live.length; i += REMOVE_BATCH) await Promise.allSettled(live.slice(i, i + REMOVE_BATCH).map((x) => ctx.removeInstance(x.id)));
    }
    done += max - live.length;
    ctx.progress(done, total, `${kind}: ${live.length} reached, removed`);
  }
}
