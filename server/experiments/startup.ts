import "server-only";
import { phaseKey } from "@/lib/experiment-summary";
import type { StartupPlan } from "@/lib/schemas/experiment";
import type { Instance, InstanceKind } from "@/lib/types";
import { errorMessage, isMissingDependency, type RunContext } from "./context";

/** A kind that fails this often in a row is skipped rather than retried to the end. */
export const MAX_FAILURES_IN_A_ROW = 3;

/**
 * N cold starts per kind, alternating kinds (p, c, v, p, c, v, …) so that
 * drift in the machine's load is shared by every kind rather than landing
 * on whichever ran last. Each start is a new instance, removed before the
 * next one; the startup timing is the engine's own (host monotonic clock).
 */
export async function runStartup(ctx: RunContext<StartupPlan>): Promise<void> {
  const { plan } = ctx;
  const active: InstanceKind[] = [...plan.kinds];
  const perKind = plan.runs + (plan.warmup ? 1 : 0);
  const failures = new Map<InstanceKind, number>();
  const left = new Map<InstanceKind, number>(plan.kinds.map((k) => [k, perKind]));
  const total = plan.kinds.length * perKind;
  let done = 0;

  const drop = (kind: InstanceKind, reason: string) => {
    ctx.skip(kind, reason);
    active.splice(active.indexOf(kind), 1);
    done += left.get(kind) ?? 0;
    left.set(kind, 0);
  };

  const once = async (kind: InstanceKind, rep: number) => {
    const warmup = rep === 0;
    let inst: Instance;
    try {
      inst = await ctx.startInstance(kind, ctx.instanceName(kind, warmup ? "w" : rep));
    } catch (err) {
      ctx.throwIfAborted();
      if (isMissingDependency(err)) return drop(kind, errorMessage(err));
      ctx.record({ kind, sample: "startup", rep, warmup, values: {}, error: errorMessage(err) });
      const n = (failures.get(kind) ?? 0) + 1;
      failures.set(kind, n);
      if (n >= MAX_FAILURES_IN_A_ROW) return drop(kind, `failed to start ${n} times in a row; last: ${errorMessage(err)}`);
      return step(kind, rep);
    }
    failures.set(kind, 0);
    try {
      const values: Record<string, number> = {};
      if (inst.startup) {
        values.total_ms = inst.startup.totalMs;
        for (const p of inst.startup.phases) values[phaseKey(p.name)] = p.ms;
      }
      ctx.record({
        kind,
        sample: "startup",
        rep,
        warmup,
        accel: inst.accel,
        values,
        error: inst.startup ? undefined : "the engine reported no startup timing",
      });
    } finally {
      await ctx.removeInstance(inst.id);
    }
    step(kind, rep);
  };

  const step = (kind: InstanceKind, rep: number) => {
    left.set(kind, (left.get(kind) ?? 1) - 1);
    ctx.progress(++done, total, `${rep === 0 ? "warm-up" : `run ${rep}/${plan.runs}`}: ${kind}`);
  };

  ctx.progress(0, total, "starting");
  if (plan.warmup) for (const kind of [...active]) await once(kind, 0);
  for (let rep = 1; rep <= plan.runs; rep++) {
    for (const kind of [...active]) await once(kind, rep);
  }
}
