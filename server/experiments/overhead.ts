import "server-only";
import { cpuPercent } from "@/lib/host/procfs";
import type { OverheadPlan } from "@/lib/experiments/overhead/schema";
import { WORKLOAD_ARGS, workloadValues } from "@/lib/probe/workload-metrics";
import type { Instance } from "@/lib/core/types";
import { errorMessage, type RunContext } from "./context";

/** Generous: a workload under TCG runs ten to fifty times slower than natively. */
export const WORKLOAD_TIMEOUT_MS = 120_000;
/** Let the start's own work (page faults, guest init) finish before the idle window. */
export const SETTLE_MS = 1000;

/**
 * One instance per kind, in turn: its idle cost over a fixed window first
 * (before workloads have touched memory), then R repetitions of each
 * workload through the probe. Kinds run one after another, never together,
 * so an idle VM's emulation threads do not steal from the bare process.
 */
export async function runOverhead(ctx: RunContext<OverheadPlan>): Promise<void> {
  const { plan } = ctx;
  const perKind = 1 + plan.reps * plan.workloads.length;
  const total = plan.kinds.length * perKind;
  let done = 0;
  ctx.progress(0, total, "starting");

  for (const kind of plan.kinds) {
    let inst: Instance;
    try {
      inst = await ctx.startInstance(kind, ctx.instanceName(kind, "o"));
    } catch (err) {
      ctx.throwIfAborted();
      ctx.skip(kind, errorMessage(err));
      done += perKind;
      ctx.progress(done, total, `${kind} skipped`);
      continue;
    }
    try {
      await measureIdle(ctx, inst);
      ctx.progress(++done, total, `${kind}: idle cost measured`);
      for (let rep = 1; rep <= plan.reps; rep++) {
        for (const workload of plan.workloads) {
          const base = { kind, sample: workload, rep, warmup: false, accel: inst.accel } as const;
          try {
            const res = await ctx.exec(inst.id, { command: workload, args: WORKLOAD_ARGS[workload], timeoutMs: WORKLOAD_TIMEOUT_MS });
            if (res.exitCode !== 0) {
              ctx.record({ ...base, values: {}, error: `probe ${workload} exited with ${res.exitCode}: ${res.output.trim().slice(-300)}` });
            } else {
              ctx.record({ ...base, values: workloadValues(workload, res.json) });
            }
          } catch (err) {
            ctx.throwIfAborted();
            ctx.record({ ...base, values: {}, error: errorMessage(err) });
          }
          ctx.progress(++done, total, `${kind}: ${workload} ${rep}/${plan.reps}`);
        }
      }
    } finally {
      await ctx.removeInstance(inst.id);
    }
  }
}

async function measureIdle(ctx: RunContext<OverheadPlan>, inst: Instance): Promise<void> {
  const base = { kind: inst.kind, sample: "idle", rep: 1, warmup: false, accel: inst.accel } as const;
  try {
    await ctx.sleep(SETTLE_MS);
    const target = ctx.usageTarget(inst);
    const before = await ctx.readHostUsage(target);
    const t0 = ctx.clock.now();
    await ctx.sleep(ctx.plan.idleSeconds * 1000);
    const after = await ctx.readHostUsage(target);
    const windowMs = ctx.clock.now() - t0;
    const values: Record<string, number> = {
      window_ms: windowMs,
      cpu_pct: cpuPercent(before.cpuNs, after.cpuNs, windowMs),
      // One tick of /proc over a 5 s window is 0.2 %: a 0 there means "below this", not "nothing".
      cpu_resolution_pct: cpuPercent(0, after.cpuResolutionNs, windowMs),
      memory_bytes: after.memoryBytes,
    };
    if (after.pssBytes !== undefined) values.pss_bytes = after.pssBytes;
    if (after.cgroupMemoryBytes !== undefined) values.cgroup_memory_bytes = after.cgroupMemoryBytes;
    ctx.record({ ...base, values });
  } catch (err) {
    ctx.throwIfAborted();
    ctx.record({ ...base, values: {}, error: `idle cost not measured: ${errorMessage(err)}` });
  }
}
