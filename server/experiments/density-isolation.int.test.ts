import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DensityResult } from "@/lib/experiments/density/types";
import { csvRecords, samplesToCsv } from "@/lib/experiments/csv";
import type { IsolationResult } from "@/lib/experiments/isolation/types";
import { MIB } from "@/lib/host/memory-guard";
import { ExperimentPlanSchema, type ExperimentPlanInput } from "@/lib/schemas/experiment";
import { createApp, type App } from "@/server/app/create-app";
import { TEST_ACCEL, testAppConfig } from "@/server/app/test-support";
import { config } from "@/server/config";
import { listIsolabCgroups } from "@/server/container/cgroup";
import type { Supervisor } from "@/server/instances/supervisor";
import type { ExperimentRunner } from "./runner";

// The isolation and density experiments against real instances: runc
// containers with and without a memory limit, TCG VMs, the bare probe.

let stateDir: string;
let app: App;
let supervisor: Supervisor;
let runner: ExperimentRunner;
const limits = { maxInstances: 24, maxMemoryMiB: 8192 };
const plan = (p: ExperimentPlanInput) => ExperimentPlanSchema.parse(p);
/** Every instance id the runs created, to look for their cgroups afterwards. */
const created = new Set<string>();

function leftovers(): string[] {
  const found: string[] = [];
  try {
    found.push(
      ...execFileSync("pgrep", ["-af", stateDir], { encoding: "utf8" })
        .split("\n")
        .filter((l) => l.includes("qemu-system")),
    );
  } catch {
    // pgrep exits 1 when nothing matches
  }
  const listed = execFileSync("runc", ["--root", path.join(stateDir, "runc"), "list", "-q"], { encoding: "utf8" }).trim();
  if (listed) found.push(`runc: ${listed}`);
  found.push(
    ...listIsolabCgroups()
      .filter((c) => created.has(c))
      .map((c) => `cgroup isolab/${c}`),
  );
  return found;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(config.dataDir, "kernel", "vmlinux"))) throw new Error("no guest kernel: run `npm run setup` first");
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-cap-"));
  app = createApp(testAppConfig(stateDir, { ...limits, readyTimeoutMs: 30_000 }));
  await app.ready;
  ({ supervisor, runner } = app);
  app.bus.on("instance", (i) => created.add(i.id));
});

afterAll(async () => {
  await runner?.shutdown();
  await Promise.allSettled(supervisor.list().map((i) => supervisor.remove(i.id)));
  await app?.shutdown();
  await supervisor?.reconcile();
  expect(leftovers()).toEqual([]);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe("isolation against real instances", () => {
  it("a limited container is OOM-killed by its cgroup, a VM's hog by its own kernel, an unlimited container lowers the host's MemAvailable; neighbours measured throughout", async () => {
    const rec = await runner.waitFor(runner.submit(plan({ type: "isolation", calmSeconds: 2, unlimitedMiB: 512 })).id);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("done");
    const r = rec.result as IsolationResult;
    const [limited, vm, unlimited] = r.hogs;
    for (const v of r.verdicts) console.log(`[isolation] ${v.outcome}: ${v.text}`);

    // The cgroup's own OOM killer, counted by the cgroup (memory.oom_control oom_kill), at the limit.
    expect(limited).toMatchObject({ hog: "container-limited", killedBy: "cgroup", exitCode: 137, limitBytes: 64 * MIB });
    expect(limited.oomKills).toBeGreaterThanOrEqual(1);
    expect(limited.hostPeakBytes).toBeGreaterThan(56 * MIB);
    expect(limited.hostPeakBytes).toBeLessThanOrEqual(64 * MIB);
    expect(limited.touchedMiB).toBeLessThan(64);

    // The guest kernel killed the hog; the VM kept running and its agent answered ping.
    expect(vm).toMatchObject({ hog: "vm", accel: TEST_ACCEL, killedBy: "guest-kernel", exitCode: 137, runningAfter: true });
    expect(vm.guestOomKills).toBeGreaterThanOrEqual(1);
    expect(vm.pingMs).toBeGreaterThan(0);
    expect(vm.touchedMiB).toBeLessThan(128);
    // The host paid no more than the guest's memory: the guest's RAM mapping never exceeds it,
    // and QEMU grew by less than it while the hog asked for twice as much.
    expect(vm.guestRamPeakBytes).toBeLessThanOrEqual(128 * MIB);
    expect(vm.hostPeakBytes! - vm.hostStartBytes!).toBeLessThanOrEqual(128 * MIB);
    expect(vm.hostPeakBytes).toBeLessThanOrEqual(128 * MIB + vm.qemuOwnPeakBytes!);

    // Nothing stopped the unlimited container but its own size; the host's MemAvailable fell while it held it.
    expect(unlimited).toMatchObject({ killedBy: null, exitCode: 0, askedMiB: 512, touchedMiB: 512, limitBytes: null, capBytes: 512 * MIB });
    expect(unlimited.hostPeakBytes).toBeGreaterThanOrEqual(512 * MIB);
    expect(unlimited.availableStartBytes! - unlimited.availableMinBytes!).toBeGreaterThan(256 * MIB);
    expect(r.verdicts.map((v) => v.outcome)).toEqual(["contained", "contained", "not-contained"]);

    // Every neighbour's latency before, during each hog and after.
    expect(r.neighbours.map((n) => n.kind)).toEqual(["process", "container", "vm"]);
    for (const n of r.neighbours) {
      for (const phase of ["before", "container-limited", "vm", "container-unlimited", "after"] as const)
        expect(n.perPhase[phase]?.n, `${n.kind} ${phase}`).toBeGreaterThan(10);
    }
    expect(r.host.swapTotalBytes).toBe(0);
    expect(r.events.map((e) => e.hog)).toEqual(["container-limited", "vm", "container-unlimited"]);

    // The export holds the events and the time series.
    const csv = csvRecords(samplesToCsv(rec.id, rec.samples));
    expect(csv.filter((row) => row.sample === "oom-kill" && row.kind === "container")).not.toHaveLength(0);
    expect(csv.find((row) => row.sample === "hog-result" && row.kind === "vm")?.guest_oom_kills).toBe("1");
    expect(csv.filter((row) => row.sample === "latency").length).toBeGreaterThan(300);
    expect(supervisor.list()).toEqual([]);
    expect(leftovers()).toEqual([]);
  }, 120_000);
});

describe("density against real instances", () => {
  it("reaches 10 containers and 3 VMs and reports each kind's marginal memory", async () => {
    const rec = await runner.waitFor(runner.submit(plan({ type: "density", max: 10, maxVm: 3, settleMs: 500, cpuWindowMs: 500 })).id);
    expect(rec.error).toBeNull();
    const r = rec.result as DensityResult;
    const [ct, vm] = r.kinds;
    expect([ct.kind, ct.reached, ct.stopReason]).toEqual(["container", 10, "max"]);
    expect([vm.kind, vm.reached, vm.stopReason, vm.accel]).toEqual(["vm", 3, "max", TEST_ACCEL]);
    expect(ct.marginal.chosenMiB).toBeGreaterThan(0);
    expect(vm.marginal.chosenMiB).toBeGreaterThan(32);
    expect(vm.marginal.hostView!.slope).toBeLessThan(128 + 200); // guest RAM touched + QEMU, not more
    expect(r.ratioVmToContainer).toBeGreaterThan(10);
    expect(ct.fits.count).toBeGreaterThan(vm.fits.count!);
    expect(ct.steps.slice(1).every((s) => s.startupMs! > 0)).toBe(true);
    console.log(
      `[density] container ${ct.marginal.chosenMiB!.toFixed(2)} MiB (${ct.marginal.chosenFrom}; MemAvailable ${ct.marginal.memAvailable?.slope.toFixed(2)} R² ${ct.marginal.memAvailable?.r2?.toFixed(2)}, host view ${ct.marginal.hostView?.slope.toFixed(2)}), ` +
        `vm ${vm.marginal.chosenMiB!.toFixed(1)} MiB (${vm.marginal.chosenFrom}); vm/container ${r.ratioVmToContainer!.toFixed(0)}×; fits ${ct.fits.count} containers vs ${vm.fits.count} VMs`,
    );
    expect(supervisor.list()).toEqual([]);
    expect(leftovers()).toEqual([]);
  }, 150_000);
});
