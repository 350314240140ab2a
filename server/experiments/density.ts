import "server-only";
import { STOP_REASONS, type StopReason } from "@/lib/experiments/density/types";
import { MIB, hostReserveBytes, reserveRefusal } from "@/lib/host/memory-guard";
import { cpuPercent } from "@/lib/host/procfs";
import type { DensityPlan } from "@/lib/experiments/density/schema";
import type { Instance, InstanceKind } from "@/lib/core/types";
import { hostProbes, type CapacityProbes } from "./capacity-probes";
import { errorMessage, isMissingDependency, statusOf, type RunContext } from "./context";
import { QEMU_OVERHEAD_MIB } from "./isolation";

// The density scenario (lib/experiments/density/types.ts for what it records): per kind,
// start one more instance of the image, let it settle, measure what the host
// lost (MemAvailable) and what every live instance costs (host view, CPU over
// a window), and go on until the planned count, the run's budget, Isolab's
// caps or the host's reserve says stop. Kinds run one after another and each
// kind's instances are removed before the next kind starts.

/** What the first instance of a kind is assumed to take, before anything is measured (MiB). */
export function firstGuessMiB(kind: InstanceKind, memoryMiB: number): number {
  return kind === "vm" ? memoryMiB + QEMU_OVERHEAD_MIB : kind === "container" ? 32 : 16;
}

export function maxFor(plan: DensityPlan, kind: InstanceKind): number {
  return kind === "vm" ? Math.min(plan.max, plan.maxVm ?? plan.max) : plan.max;
}

interface Stop {
  reason: StopReason;
  error?: string;
  values?: Record<string, number>;
}

export async function runDensity(ctx: RunContext<DensityPlan>, probes: CapacityProbes = hostProbes): Promise<void> {
  const { plan, clock } = ctx;
  const cores = probes.cores();
  const total = plan.kinds.reduce((a, k) => a + maxFor(plan, k), 0);
  let done = 0;
  ctx.progress(0, total, "starting");

  for (const kind of plan.kinds) {
    const live: Instance[] = [];
    const max = maxFor(plan, kind);
    try {
      // The previous kind's memory is handed back while this settles.
      await ctx.sleep(plan.settleMs);
      const base = probes.hostMemory();
      ctx.record({
        kind, sample: "step", rep: 0, warmup: false,
        values: { instances: 0, available_bytes: base.availableBytes, total_bytes: base.totalBytes, sum_host_bytes: 0, sum_cpu_pct: 0, cores },
      });
      let perInstance = firstGuessMiB(kind, plan.memoryMiB) * MIB;
      let stop: Stop = { reason: "max" };
      for (let n = 1; n <= max; n++) {
        const host = probes.hostMemory();
        const refusal = reserveRefusal(host, perInstance, `${kind} #${n}`);
        if (refusal) {
          stop = { reason: "reserve", error: refusal, values: { available_bytes: host.availableBytes, need_bytes: perInstance, reserve_bytes: hostReserveBytes(host.totalBytes) } };
          break;
        }
        const used = base.availableBytes - host.availableBytes;
        if (plan.budgetMiB !== undefined && used + perInstance > plan.budgetMiB * MIB) {
          stop = {
            reason: "budget",
            error: `${Math.round(used / MIB)} MiB taken and about ${Math.round(perInstance / MIB)} MiB more needed, over the budget of ${plan.budgetMiB} MiB`,
            values: { used_bytes: used, need_bytes: perInstance },
          };
          break;
        }
        let inst: Instance;
        try {
          inst = await ctx.startInstance(kind, ctx.instanceName(kind, n));
        } catch (err) {
          ctx.throwIfAborted();
          if (isMissingDependency(err)) ctx.skip(kind, errorMessage(err));
          stop = { reason: statusOf(err) === 429 ? "cap" : "start-failed", error: errorMessage(err) };
          break;
        }
        live.push(inst);
        await ctx.sleep(plan.settleMs);
        const targets = live.map((i) => ctx.usageTarget(i));
        const before = await Promise.all(targets.map((t) => ctx.readHostUsage(t)));
        const t0 = clock.now();
        await ctx.sleep(plan.cpuWindowMs);
        const after = await Promise.all(targets.map((t) => ctx.readHostUsage(t)));
        const windowMs = clock.now() - t0;
        const now = probes.hostMemory();
        const cpu = after.map((a, i) => cpuPercent(before[i].cpuNs, a.cpuNs, windowMs));
        const sumHost = after.reduce((a, u) => a + u.memoryBytes, 0);
        const values: Record<string, number> = {
          instances: n,
          available_bytes: now.availableBytes,
          total_bytes: now.totalBytes,
          sum_host_bytes: sumHost,
          instance_host_bytes: after[after.length - 1].memoryBytes,
          instance_cpu_pct: cpu[cpu.length - 1],
          sum_cpu_pct: cpu.reduce((a, b) => a + b, 0),
          window_ms: windowMs,
          cores,
        };
        if (inst.startup) values.startup_ms = inst.startup.totalMs;
        ctx.record({ kind, sample: "step", rep: n, warmup: false, accel: inst.accel, values });
        // The next step is checked against the most any measure says one instance costs.
        perInstance = Math.max(perInstance, (base.availableBytes - now.availableBytes) / n, sumHost / n);
        ctx.progress(++done, total, `${kind}: ${n} running`);
      }
      ctx.record({
        kind, sample: "stop", rep: live.length, warmup: false,
        values: { reason_code: STOP_REASONS.indexOf(stop.reason), instances: live.length, ...stop.values },
        error: stop.error,
      });
    } finally {
      // All of this kind go before the next kind is measured; cleanup() retries what fails here.
      await Promise.allSettled(live.map((i) => ctx.removeInstance(i.id)));
    }
    done += max - live.length;
    ctx.progress(done, total, `${kind}: ${live.length} reached, removed`);
  }
}
