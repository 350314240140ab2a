import "server-only";
import { STARTUP_KINDS, type StartupKind } from "@/lib/experiments/types";
import { launchRequest } from "@/lib/core/kinds";
import { phaseKey } from "@/lib/experiments/startup/summary";
import type { StartupPlan } from "@/lib/experiments/startup/schema";
import type { Instance, InstanceKind } from "@/lib/core/types";
import type { MemorySampleValues, WatchedKind } from "@/lib/experiments/startup/warm-memory";
import { procReaders } from "@/server/metrics/readers";
import { errorMessage, isMissingDependency, type RunContext } from "./context";

/** A kind that fails this often in a row is skipped rather than retried to the end. */
export const MAX_FAILURES_IN_A_ROW = 3;

/** QEMU's PSS and RSS by pid: the sampler's own reader of /proc/<pid>/smaps_rollup. */
export type ReadMemory = (pid: number) => { pssBytes: number; rssBytes: number };

const readSmaps: ReadMemory = (pid) => procReaders.smapsRollup(pid);

/** What each column starts (lib/core/kinds.ts launchRequest): the VM columns are start modes of kind vm. */
const TARGET: Record<StartupKind, { kind: InstanceKind; startMode?: "warm" | "template" | "pooled" }> = Object.fromEntries(
  STARTUP_KINDS.map((k) => [k, launchRequest(k)]),
) as Record<StartupKind, { kind: InstanceKind; startMode?: "warm" | "template" | "pooled" }>;
const startOver = (kind: StartupKind) => (TARGET[kind].startMode ? { startMode: TARGET[kind].startMode } : {});
/** The pool is off: the column is skipped with the reason, not measured as something else. */
const isPoolOff = (err: unknown) => (err as Error)?.name === "PoolDisabledError";

const builtTemplate = (inst: Instance) => inst.startup?.phases.some((p) => p.name === "template") ?? false;

/**
 * N cold starts per kind, alternating kinds (p, c, v, w, p, c, v, w, …) so
 * that drift in the machine's load is shared by every kind rather than
 * landing on whichever ran last. Each start is a new instance, removed before
 * the next one; the startup timing is the engine's own (host monotonic clock).
 *
 * A vm-warm start that had to build its template first (phase `template`)
 * is recorded as a warm-up and its run is repeated: the column measures
 * restores, and the first one after a kernel, image or QEMU change boots.
 * With `memorySeconds`, a cold and a restored VM then run side by side and
 * their host memory is read once a second.
 */
export async function runStartup(ctx: RunContext<StartupPlan>, readMemory: ReadMemory = readSmaps): Promise<void> {
  const { plan } = ctx;
  const active: StartupKind[] = [...plan.kinds];
  const perKind = plan.runs + (plan.warmup ? 1 : 0);
  const failures = new Map<StartupKind, number>();
  const left = new Map<StartupKind, number>(plan.kinds.map((k) => [k, perKind]));
  const watch = plan.memorySeconds > 0 && plan.kinds.includes("vm") && plan.kinds.includes("vm-warm");
  const total = plan.kinds.length * perKind + (watch ? plan.memorySeconds : 0);
  let done = 0;

  const drop = (kind: StartupKind, reason: string) => {
    ctx.skip(kind, reason);
    active.splice(active.indexOf(kind), 1);
    done += left.get(kind) ?? 0;
    left.set(kind, 0);
  };

  const once = async (kind: StartupKind, rep: number, retried = false): Promise<void> => {
    const warmup = rep === 0;
    let inst: Instance;
    try {
      // A pool refilling in the background would land in this start's time, whichever kind it is.
      await ctx.settle();
      inst = await ctx.startInstance(TARGET[kind].kind, ctx.instanceName(kind, warmup ? "w" : rep), startOver(kind));
    } catch (err) {
      ctx.throwIfAborted();
      if (isMissingDependency(err) || isPoolOff(err)) return drop(kind, errorMessage(err));
      ctx.record({ kind, sample: "startup", rep, warmup, values: {}, error: errorMessage(err) });
      const n = (failures.get(kind) ?? 0) + 1;
      failures.set(kind, n);
      if (n >= MAX_FAILURES_IN_A_ROW) return drop(kind, `failed to start ${n} times in a row; last: ${errorMessage(err)}`);
      return step(kind, rep);
    }
    failures.set(kind, 0);
    const template = builtTemplate(inst);
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
        warmup: warmup || template,
        accel: inst.accel,
        values,
        error: inst.startup ? undefined : "the engine reported no startup timing",
      });
    } finally {
      await ctx.removeInstance(inst.id);
    }
    if (template && !warmup && !retried) return once(kind, rep, true);
    step(kind, rep);
  };

  const step = (kind: StartupKind, rep: number) => {
    left.set(kind, (left.get(kind) ?? 1) - 1);
    ctx.progress(++done, total, `${rep === 0 ? "warm-up" : `run ${rep}/${plan.runs}`}: ${kind}`);
  };

  ctx.progress(0, total, "starting");
  if (plan.warmup) for (const kind of [...active]) await once(kind, 0);
  for (let rep = 1; rep <= plan.runs; rep++) {
    for (const kind of [...active]) await once(kind, rep);
  }
  if (watch && active.includes("vm") && active.includes("vm-warm")) {
    const tick = () => ctx.progress(++done, total, `host memory of a cold and a restored VM, ${plan.memorySeconds} s`);
    await Promise.all([watchMemory(ctx, "vm", readMemory, tick), watchMemory(ctx, "vm-warm", readMemory)]);
  }
}

/** Starts one VM of `kind` and reads its QEMU's PSS and RSS at 0, 1, … memorySeconds s after it was ready. */
async function watchMemory(ctx: RunContext<StartupPlan>, kind: WatchedKind, readMemory: ReadMemory, onTick?: () => void): Promise<void> {
  let inst: Instance;
  try {
    inst = await ctx.startInstance("vm", ctx.instanceName(kind, "m"), startOver(kind));
  } catch (err) {
    ctx.throwIfAborted();
    ctx.record({ kind, sample: "memory", rep: 0, warmup: false, values: {}, error: errorMessage(err) });
    return;
  }
  try {
    const { pid } = ctx.usageTarget(inst);
    const readyAt = ctx.clock.now();
    for (let i = 0; i <= ctx.plan.memorySeconds; i++) {
      if (i > 0) await ctx.sleep(Math.max(0, readyAt + i * 1000 - ctx.clock.now()));
      const t = (ctx.clock.now() - readyAt) / 1000;
      try {
        const m = readMemory(pid);
        const values: MemorySampleValues = { t_s: Math.round(t * 10) / 10, pss_bytes: m.pssBytes, rss_bytes: m.rssBytes };
        ctx.record({ kind, sample: "memory", rep: i, warmup: false, accel: inst.accel, values: { ...values } });
      } catch (err) {
        ctx.record({ kind, sample: "memory", rep: i, warmup: false, values: {}, error: `cannot read QEMU's memory: ${errorMessage(err)}` });
        return;
      }
      if (i > 0) onTick?.();
    }
  } finally {
    await ctx.removeInstance(inst.id);
  }
}
