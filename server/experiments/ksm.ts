import "server-only";
import type { Instance } from "@/lib/core/types";
import type { KsmPlan } from "@/lib/experiments/ksm/schema";
import { errorMessage, isMissingDependency, type RunContext } from "./context";
import type { KsmGuard } from "./ksm-lease";
import { findKsmd, readKsmValues, settingsValues } from "./ksm-readings";

// Kernel samepage merging over a set of cold VMs: QEMU marks guest RAM
// mergeable (its `mem-merge` machine option, on by default), so once ksmd
// runs it folds the pages the guests hold alike — the same kernel, the same
// unpacked image — into one copy each. The run:
//   1. checks that KSM is there and writable (KsmUnavailableError otherwise; nothing started),
//   2. records the host's own settings in the guard's file (KsmBusyError while another run holds them),
//   3. starts the cold VMs with KSM as the host had it, reads a baseline,
//   4. turns KSM on at the plan's rate and reads every sampleMs for durationSeconds,
//   5. removes the VMs and puts the host's settings back, whatever happened (lib/host/ksm.ts restoreWrites).

const base = { kind: "host", rep: 0, warmup: false } as const;

export async function runKsm(ctx: RunContext<KsmPlan>, guard: KsmGuard): Promise<void> {
  guard.sysfs.check();
  const lease = await guard.take();
  ctx.record({ ...base, sample: "ksm-host", values: { ...settingsValues(lease.saved.settings), pages_shared: lease.saved.pagesSharedBefore } });
  const vms: Instance[] = [];
  let failure: unknown;
  try {
    await measure(ctx, guard, lease, vms);
  } catch (err) {
    failure = err;
  }
  // The VMs go first: the restore then has only what other processes merged left to unmerge.
  for (const vm of vms) await ctx.removeInstance(vm.id).catch(() => {}); // the run's cleanup tries again
  try {
    const restored = await lease.restore();
    ctx.record({ ...base, sample: "ksm-host", rep: 2, values: { ...settingsValues(restored.after), restored: 1, unmerged: restored.unmerged ? 1 : 0 } });
  } catch (err) {
    ctx.record({ ...base, sample: "ksm-host", rep: 2, values: { restored: 0 }, error: errorMessage(err) });
    failure = failure && !ctx.signal.aborted ? new Error(`${errorMessage(failure)}; ${errorMessage(err)}`) : (failure ?? err);
  }
  if (failure) throw failure;
}

async function measure(ctx: RunContext<KsmPlan>, guard: KsmGuard, lease: Awaited<ReturnType<KsmGuard["take"]>>, vms: Instance[]): Promise<void> {
  const { plan } = ctx;
  const readings = Math.floor((plan.durationSeconds * 1000) / plan.sampleMs);
  const total = plan.vms + readings;
  ctx.progress(0, total, "starting the VMs");
  for (let i = 1; i <= plan.vms; i++) {
    try {
      vms.push(await ctx.startInstance("vm", ctx.instanceName("vm", i)));
    } catch (err) {
      ctx.throwIfAborted();
      if (isMissingDependency(err)) return ctx.skip("vm", errorMessage(err));
      throw err;
    }
    ctx.progress(i, total, `VM ${i}/${plan.vms} up`);
  }
  const accel = vms[0]?.accel;
  const pids = vms.map((vm) => ctx.usageTarget(vm).pid);
  const ksmd = findKsmd();
  ctx.record({ ...base, sample: "ksm", accel, values: { t_s: 0, ...readKsmValues(guard.sysfs, pids, ksmd) } });

  await lease.apply({ pagesToScan: plan.pagesToScan, sleepMs: plan.sleepMs });
  const on = ctx.clock.now();
  ctx.record({ ...base, sample: "ksm-host", rep: 1, values: settingsValues(guard.sysfs.readSettings()) });
  for (let i = 1; i <= readings; i++) {
    await ctx.sleep(Math.max(0, on + i * plan.sampleMs - ctx.clock.now()));
    const t_s = Math.round(ctx.clock.now() - on) / 1000;
    try {
      ctx.record({ ...base, sample: "ksm", rep: i, accel, values: { t_s, ...readKsmValues(guard.sysfs, pids, ksmd) } });
    } catch (err) {
      // A VM that went away ends the readings; what was read stays.
      ctx.record({ ...base, sample: "ksm", rep: i, values: { t_s }, error: `reading ${i}: ${errorMessage(err)}` });
      return;
    }
    ctx.progress(plan.vms + i, total, `KSM on for ${t_s.toFixed(0)} s`);
  }
}
