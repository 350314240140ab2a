import "server-only";
import { guestOomKills } from "@/lib/experiments/isolation/guest-console";
import { CAP_BOUNDS, HOG_KIND, hogNumber, PHASE_IDS, type HogResultValues, type PhaseId } from "@/lib/experiments/isolation/types";
import { MIB, UNLIMITED_HOG_MIN_MIB, reserveRefusal, unlimitedHogSize, watchdogReason } from "@/lib/host/memory-guard";
import type { IsolationHog, IsolationPlan } from "@/lib/experiments/isolation/schema";
import type { Instance } from "@/lib/core/types";
import { CapacityError } from "@/server/errors";
import { hostProbes, type HostProbes } from "./host-probes";
import { errorMessage, type RunContext } from "./context";
import type { UsageTarget } from "./host-usage";

// The isolation scenario (ISSUE 5, lib/experiments/isolation/types.ts for what it
// records): neighbours of every kind run `probe latency` throughout while,
// one after another, a container with a memory limit, a VM and a container
// without a limit allocate past what they were given. All instances start
// first and sit idle, so "before", each hog's phase and "after" differ only
// by the hog.

/** How often the host, the hogs and the watchdog are read. */
export const SAMPLE_MS = 250;
/** Latency has to be flowing from every neighbour before the timeline starts. */
export const WARMUP_MS = 1500;
/** A hog climbs in about this many steps, pausing between them, so the climb shows at SAMPLE_MS. */
export const HOG_STEPS = 32;
export const HOG_PAUSE_MS = 80;
/** The unlimited hog holds its memory this long at the top, so the host's drop is seen. */
export const UNLIMITED_HOLD_MS = 2000;
/** After a hog ends its phase goes on this long: memory returning, neighbours settling. */
export const HOG_SETTLE_MS = 1000;
export const HOG_TIMEOUT_MS = 120_000;
/** Upper bound of a neighbour's `latency` run; it is stopped when the timeline ends. */
export const LATENCY_MAX_MS = 300_000;
/** What a QEMU costs beyond its guest RAM (code, TCG cache, mapped kernel), for the up-front reserve check. */
export const QEMU_OVERHEAD_MIB = 192;
/** Neighbours and hogs of the other kinds at idle, for the same check. */
const IDLE_INSTANCE_MIB = 16;

/** Host memory the whole run may hold at its peak, for the reserve check before it starts. */
export function isolationNeedBytes(plan: IsolationPlan): number {
  let mib = 0;
  for (const k of plan.neighbours) mib += k === "vm" ? plan.memoryMiB + QEMU_OVERHEAD_MIB : IDLE_INSTANCE_MIB;
  // The unlimited hog counts at its minimum: it is sized to what the host can spare when its turn comes.
  for (const h of plan.hogs) mib += h === "vm" ? plan.vmMiB + QEMU_OVERHEAD_MIB : h === "container-limited" ? plan.limitMiB : UNLIMITED_HOG_MIN_MIB;
  return mib * MIB;
}

function hogStart(plan: IsolationPlan, hog: IsolationHog) {
  if (hog === "vm") return { memoryMiB: plan.vmMiB };
  if (hog === "container-limited") return { memoryMiB: plan.limitMiB };
  // Counted against Isolab's memory cap at what it may take; the kernel enforces nothing.
  return { memoryMiB: plan.unlimitedMiB, unlimitedMemory: true };
}

const parse = (line: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(line);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

interface Hog {
  hog: IsolationHog;
  inst: Instance;
  target: UsageTarget;
  guestMiB?: number;
  lastOomKills: number;
}

export async function runIsolation(ctx: RunContext<IsolationPlan>, probes: HostProbes = hostProbes): Promise<void> {
  const { plan, clock } = ctx;
  const total = plan.neighbours.length + 2 * plan.hogs.length + 2;
  let done = 0;
  const step = (message: string) => ctx.progress(++done, total, message);
  ctx.progress(0, total, "checking the host's memory");

  const refusal = reserveRefusal(probes.hostMemory(), isolationNeedBytes(plan), "the isolation run");
  if (refusal) throw new CapacityError(refusal);

  const neighbours: Instance[] = [];
  for (const kind of plan.neighbours) {
    try {
      neighbours.push(await ctx.startInstance(kind, ctx.instanceName(kind, "n")));
    } catch (err) {
      ctx.throwIfAborted();
      ctx.skip(kind, `the ${kind} neighbour did not start: ${errorMessage(err)}`);
    }
    step(`${kind} neighbour started`);
  }
  const hogs = new Map<IsolationHog, Hog>();
  const hogErrors = new Map<IsolationHog, string>();
  for (const hog of plan.hogs) {
    const kind = HOG_KIND[hog];
    try {
      const inst = await ctx.startInstance(kind, ctx.instanceName(kind, `h${hogNumber(hog)}`), hogStart(plan, hog));
      hogs.set(hog, { hog, inst, target: ctx.usageTarget(inst), guestMiB: hog === "vm" ? plan.vmMiB : undefined, lastOomKills: 0 });
    } catch (err) {
      ctx.throwIfAborted();
      hogErrors.set(hog, `it did not start: ${errorMessage(err)}`);
    }
    step(`${hog} hog started`);
  }

  const t0 = clock.now() + WARMUP_MS;
  const rel = () => clock.now() - t0;
  const stopLatency = new AbortController();
  const latencySignal = AbortSignal.any([ctx.signal, stopLatency.signal]);
  const latencyRuns = neighbours.map((n) =>
    ctx
      .exec(
        n.id,
        { command: "latency", args: [String(LATENCY_MAX_MS), String(plan.latencyIntervalMs)], timeoutMs: LATENCY_MAX_MS + 30_000 },
        {
          signal: latencySignal,
          onLine: (line) => {
            const v = parse(line);
            const t = rel();
            if (t < 0 || typeof v?.tick !== "number" || typeof v.oversleepUs !== "number") return;
            ctx.record({ kind: n.kind, sample: "latency", rep: v.tick, warmup: false, accel: n.accel, values: { t_ms: t, oversleep_us: v.oversleepUs } });
          },
        },
      )
      .catch(() => undefined),
  );

  // The watchdog's target: the unlimited hog while it allocates.
  let guarded: { hog: Hog; capBytes: number; stop: AbortController; fired?: boolean } | undefined;
  const sample = () => {
    const t = rel();
    let host;
    try {
      host = probes.hostMemory();
      ctx.record({
        kind: "host",
        sample: "host",
        rep: 0,
        warmup: false,
        values: {
          t_ms: t,
          available_bytes: host.availableBytes,
          total_bytes: host.totalBytes,
          swap_total_bytes: host.swapTotalBytes,
          swap_free_bytes: host.swapFreeBytes,
        },
      });
    } catch {
      // /proc/meminfo unreadable for a tick: a gap in the line, nothing more.
    }
    for (const h of hogs.values()) {
      let r;
      try {
        r = probes.hogMemory(h.target, h.guestMiB);
      } catch {
        continue; // the instance is gone; its outcome says why
      }
      const n = hogNumber(h.hog);
      const values: Record<string, number> = { t_ms: t, host_bytes: r.hostBytes };
      if (r.limitBytes != null) values.limit_bytes = r.limitBytes;
      if (r.oomKills !== undefined) values.oom_kills = r.oomKills;
      if (r.peakBytes !== undefined) values.peak_bytes = r.peakBytes;
      if (r.guestRamBytes !== undefined) values.guest_ram_bytes = r.guestRamBytes;
      if (r.qemuOwnBytes !== undefined) values.qemu_own_bytes = r.qemuOwnBytes;
      ctx.record({ kind: h.inst.kind, sample: "hog", rep: n, warmup: false, accel: h.inst.accel, values });
      if (r.oomKills !== undefined && r.oomKills > h.lastOomKills) {
        ctx.record({ kind: h.inst.kind, sample: "oom-kill", rep: n, warmup: false, values: { t_ms: t, oom_kills: r.oomKills, host_bytes: r.hostBytes } });
        h.lastOomKills = r.oomKills;
      }
      if (guarded?.hog === h && host && !guarded.fired) {
        const reading = { usageBytes: r.hostBytes, capBytes: guarded.capBytes, availableBytes: host.availableBytes, totalBytes: host.totalBytes };
        if (watchdogReason(reading)) {
          guarded.fired = true;
          ctx.record({
            kind: "container",
            sample: "guard",
            rep: n,
            warmup: false,
            values: { t_ms: t, usage_bytes: r.hostBytes, cap_bytes: guarded.capBytes, available_bytes: host.availableBytes, total_bytes: host.totalBytes },
          });
          guarded.stop.abort();
        }
      }
    }
  };

  const stopSampler = new AbortController();
  const sampler = (async () => {
    const signal = AbortSignal.any([ctx.signal, stopSampler.signal]);
    while (!signal.aborted) {
      if (rel() >= 0) sample();
      await clock.sleep(SAMPLE_MS, signal).catch(() => undefined);
    }
  })();

  const phase = (id: PhaseId, startMs: number) =>
    ctx.record({ kind: "host", sample: "phase", rep: PHASE_IDS.indexOf(id), warmup: false, values: { start_ms: startMs, end_ms: rel() } });

  const runHog = async (hog: IsolationHog) => {
    const n = hogNumber(hog);
    const kind = HOG_KIND[hog];
    const h = hogs.get(hog);
    const base = { kind, sample: "hog-result", rep: n, warmup: false, accel: h?.inst.accel } as const;
    const startMs = rel();
    if (!h) return void ctx.record({ ...base, values: { start_ms: startMs, end_ms: startMs, asked_mib: 0 }, error: hogErrors.get(hog) ?? "it did not start" });
    const values: HogResultValues & Record<string, number> = { start_ms: startMs, end_ms: startMs, asked_mib: 0 };
    if (hog === "container-unlimited") {
      const size = unlimitedHogSize(probes.hostMemory(), plan.unlimitedMiB);
      if ("refusal" in size) return void ctx.record({ ...base, values, error: size.refusal });
      values.asked_mib = size.mib;
      values.cap_bytes = size.mib * MIB;
      values.cap_bound = CAP_BOUNDS.indexOf(size.bound) + 1;
    } else {
      const limit = hog === "vm" ? plan.vmMiB : plan.limitMiB;
      values.asked_mib = 2 * limit;
      values.limit_bytes = limit * MIB;
    }
    const consoleBefore = h.inst.kind === "vm" ? guestOomKills(readConsole(ctx, probes, h.inst)).length : 0;
    try {
      values.oom_kills_before = probes.hogMemory(h.target, h.guestMiB).oomKills ?? 0;
    } catch {
      // read again after; a missing count stays missing
    }
    const stop = new AbortController();
    if (hog === "container-unlimited") guarded = { hog: h, capBytes: values.cap_bytes!, stop };
    const stepMiB = Math.max(4, Math.ceil(values.asked_mib / HOG_STEPS));
    const args = [values.asked_mib, stepMiB, HOG_PAUSE_MS, hog === "container-unlimited" ? UNLIMITED_HOLD_MS : 0].map(String);
    try {
      const res = await ctx.exec(
        h.inst.id,
        { command: "mem", args, timeoutMs: HOG_TIMEOUT_MS },
        {
          signal: AbortSignal.any([ctx.signal, stop.signal]),
          onLine: (line) => {
            const v = parse(line);
            if (typeof v?.touchedMiB !== "number") return;
            values.touched_mib = v.touchedMiB;
            ctx.record({ kind, sample: "touched", rep: n, warmup: false, values: { t_ms: rel(), touched_mib: v.touchedMiB } });
          },
        },
      );
      values.exit_code = res.exitCode;
    } catch (err) {
      ctx.throwIfAborted();
      if (!guarded?.fired) {
        return void ctx.record({ ...base, values: { ...values, end_ms: rel() }, error: `its mem command failed: ${errorMessage(err)}` });
      }
    }
    values.exit_ms = rel();
    if (guarded?.hog === h) {
      if (guarded.fired) values.guard_stopped = 1;
      guarded = undefined;
    }
    await ctx.sleep(HOG_SETTLE_MS);
    try {
      const after = probes.hogMemory(h.target, h.guestMiB);
      if (after.oomKills !== undefined) values.oom_kills_after = after.oomKills;
    } catch {
      // gone: no count after
    }
    if (h.inst.kind === "vm") {
      values.guest_oom_kills = guestOomKills(readConsole(ctx, probes, h.inst)).length - consoleBefore;
      const t = clock.now();
      const ping = await ctx.exec(h.inst.id, { command: "ping", args: [], timeoutMs: 10_000 }).catch(() => undefined);
      values.running_after = ping?.exitCode === 0 ? 1 : 0;
      if (ping?.exitCode === 0) values.ping_ms = clock.now() - t;
    }
    values.end_ms = rel();
    ctx.record({ ...base, values });
  };

  try {
    await ctx.sleep(WARMUP_MS);
    let start = rel();
    await ctx.sleep(plan.calmSeconds * 1000);
    phase("before", start);
    step("baseline measured");
    for (const hog of plan.hogs) {
      start = rel();
      await runHog(hog);
      if (hogs.has(hog)) phase(hog, start);
      step(`${hog} hog done`);
    }
    start = rel();
    await ctx.sleep(plan.calmSeconds * 1000);
    phase("after", start);
    step("after measured");
  } finally {
    stopLatency.abort();
    stopSampler.abort();
    await sampler;
    await Promise.allSettled(latencyRuns);
  }
}

function readConsole(ctx: RunContext<IsolationPlan>, probes: HostProbes, inst: Instance): string {
  const log = ctx.logPath(inst.id);
  return log ? probes.readText(log) : "";
}
