import "server-only";
import { spawn } from "node:child_process";
import { ProbeHostileSchema, hostileValues } from "@/lib/experiments/hostile/summary";
import type { HostilePlan, HostileTarget } from "@/lib/experiments/hostile/schema";
import { errorMessage, type RunContext } from "./context";

// What a hostile image can do from each box: `probe hostile` (guest/probe/
// hostile.c) in a confined container, a privileged one and a VM, one after
// another. Its ptrace target is a `sleep` this run starts on the host and
// kills after, so a success attaches to nothing that matters.

const HOSTILE_TIMEOUT_MS = 60_000;

export async function runHostile(ctx: RunContext<HostilePlan>): Promise<void> {
  const { plan } = ctx;
  const victim = spawn("sleep", ["600"], { stdio: "ignore" });
  try {
    let done = 0;
    ctx.progress(0, plan.targets.length, "starting");
    for (const target of plan.targets) {
      await runOne(ctx, target, victim.pid ?? 0);
      ctx.progress(++done, plan.targets.length, `${target} done`);
    }
  } finally {
    victim.kill("SIGKILL");
  }
}

async function runOne(ctx: RunContext<HostilePlan>, target: HostileTarget, victimPid: number): Promise<void> {
  const kind = target === "vm" ? "vm" : "container";
  const privileged = target === "container-privileged";
  const base = { kind, sample: "hostile", rep: 1, warmup: false } as const;
  let id: string | undefined;
  try {
    const inst = await ctx.startInstance(kind, ctx.instanceName(kind, privileged ? "hp" : "h"), privileged ? { privileged: true } : {});
    id = inst.id;
    const res = await ctx.exec(inst.id, { command: "hostile", args: [String(victimPid)], timeoutMs: HOSTILE_TIMEOUT_MS });
    const parsed = ProbeHostileSchema.safeParse(res.json);
    if (res.exitCode !== 0 || !parsed.success) {
      ctx.record({
        ...base,
        accel: inst.accel,
        values: { privileged: privileged ? 1 : 0 },
        error: `probe hostile gave no table: ${res.output.trim().slice(-300)}`,
      });
    } else {
      ctx.record({ ...base, accel: inst.accel, values: hostileValues(parsed.data, privileged) });
    }
  } catch (err) {
    ctx.throwIfAborted();
    ctx.record({ ...base, values: { privileged: privileged ? 1 : 0 }, error: errorMessage(err) });
  } finally {
    if (id) await ctx.removeInstance(id);
  }
}
