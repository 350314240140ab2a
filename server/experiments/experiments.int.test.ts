import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OverheadResult } from "@/lib/experiments/overhead/types";
import type { StartupResult } from "@/lib/experiments/startup/types";
import { ExperimentPlanSchema, type ExperimentPlanInput } from "@/lib/schemas/experiment";
import { createApp, type App } from "@/server/app/create-app";
import { TEST_ACCEL, testAppConfig } from "@/server/app/test-support";
import { config } from "@/server/config";
import type { Supervisor } from "@/server/instances/supervisor";
import { openDatabase } from "@/server/store/db";
import { ExperimentStore } from "@/server/store/experiments";
import { systemClock } from "./clock";
import { captureEnvironment } from "./environment";
import { readHostUsage } from "./host-usage";
import { ExperimentRunner } from "./runner";
import { qemusIn } from "@/server/vm/test-helpers";

// Real experiments: the bare probe, runc containers and TCG VMs from the
// built image (npm run setup), through a real supervisor, stored in SQLite.

let stateDir: string;
let dbFile: string;
let app: App;
let supervisor: Supervisor;
let runner: ExperimentRunner;
const limits = { maxInstances: 8, maxMemoryMiB: 4096 };

/** A runner over the app's supervisor whose idea of which owners are alive the test decides (a "restarted" server). */
function makeRunner(s: ExperimentStore, ownerAlive: (o: string | null) => boolean = (o) => o === "test") {
  return new ExperimentRunner({
    store: s,
    supervisor: async () => supervisor,
    clock: systemClock,
    captureEnvironment: () => captureEnvironment(limits),
    readHostUsage,
    owner: "test",
    ownerAlive,
  });
}
const plan = (p: ExperimentPlanInput) => ExperimentPlanSchema.parse(p);

beforeAll(async () => {
  if (!fs.existsSync(path.join(config.dataDir, "kernel", "vmlinux"))) throw new Error("no guest kernel: run `npm run setup` first");
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-xp-"));
  dbFile = path.join(stateDir, "isolab.db");
  app = createApp(testAppConfig(stateDir, { ...limits, readyTimeoutMs: 20_000 }));
  await app.ready;
  supervisor = app.supervisor;
  runner = app.runner;
});

afterAll(async () => {
  await runner?.shutdown();
  await Promise.allSettled(supervisor.list().map((i) => supervisor.remove(i.id)));
  await app?.shutdown();
  await supervisor?.reconcile();
  expect(qemusIn(stateDir)).toEqual([]);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe("experiments against real instances", () => {
  let startupId = "";

  it("a startup experiment with 5 runs of each of the four kinds completes, alternating kinds, stores every run and watches VM memory", async () => {
    const { id } = runner.submit(plan({ type: "startup", runs: 5, memorySeconds: 5 }));
    startupId = id;
    const rec = await runner.waitFor(id);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("done");
    const result = rec.result as StartupResult;
    expect(result.skipped).toEqual([]);
    expect(result.kinds.map((k) => [k.kind, k.total.n, k.failures])).toEqual([
      ["process", 5, 0],
      ["container", 5, 0],
      ["vm", 5, 0],
      ["vm-warm", 5, 0],
    ]);
    expect(result.kinds.find((k) => k.kind === "vm")?.phases.map((p) => p.name)).toEqual(["qemu-up", "kernel", "ready"]);
    expect(result.kinds.find((k) => k.kind === "vm-warm")?.phases.map((p) => p.name)).toEqual(["qemu-up", "state-loaded", "ready"]);
    expect(result.kinds.find((k) => k.kind === "vm")?.accel).toBe(TEST_ACCEL);
    expect(result.kinds.find((k) => k.kind === "vm-warm")?.accel).toBe(TEST_ACCEL);
    expect(rec.environment?.accelerator?.accel).toBe(TEST_ACCEL);
    const measured = rec.samples.filter((s) => !s.warmup && s.sample === "startup");
    expect(measured.map((s) => s.kind)).toEqual(Array(5).fill(["process", "container", "vm", "vm-warm"]).flat());
    const med = (k: string) => result.kinds.find((x) => x.kind === k)!.total.median;
    expect(med("process")).toBeLessThan(med("container"));
    expect(med("container")).toBeLessThan(med("vm"));
    expect(med("vm-warm")).toBeLessThan(med("vm"));
    expect(result.ratioVmToContainer).toBeCloseTo(med("vm") / med("container"), 10);
    expect(result.ratioWarmToVm).toBeCloseTo(med("vm-warm") / med("vm"), 10);
    // The memory watch: a cold and a restored VM, read at 0..5 s after each was ready.
    expect(result.memory?.series.map((x) => [x.kind, x.points.length])).toEqual([
      ["vm", 6],
      ["vm-warm", 6],
    ]);
    const warm = result.memory!.series[1];
    console.log(
      `[startup] medians: process ${med("process").toFixed(1)} ms, container ${med("container").toFixed(1)} ms, vm ${med("vm").toFixed(0)} ms, vm-warm ${med("vm-warm").toFixed(0)} ms (TCG); ` +
        `vm/container ${result.ratioVmToContainer?.toFixed(1)}×, vm-warm/vm ${result.ratioWarmToVm?.toFixed(3)}×; ` +
        `restored VM RSS ${(warm.firstRssBytes / 2 ** 20).toFixed(0)} → ${(warm.lastRssBytes / 2 ** 20).toFixed(0)} MiB (${result.memory!.warmArrival?.verdict})`,
    );
    expect(supervisor.list()).toEqual([]);
    expect(qemusIn(stateDir)).toEqual([]);
  }, 180_000);

  it("an overhead experiment completes with ratios to the bare process and idle cost per kind", async () => {
    const rec = await runner.waitFor(runner.submit(plan({ type: "overhead", reps: 1, idleSeconds: 1 })).id);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("done");
    const result = rec.result as OverheadResult;
    expect(result.skipped).toEqual([]);
    const errors = rec.samples.filter((s) => s.error).map((s) => `${s.kind} ${s.sample}: ${s.error}`);
    expect(errors).toEqual([]);
    for (const row of result.rows) {
      expect(row.ratio.process).toBe(1);
      expect(row.ratio.container).toBeGreaterThan(0);
      expect(row.ratio.vm).toBeGreaterThan(0);
    }
    expect(result.idle.map((i) => i.kind)).toEqual(["process", "container", "vm"]);
    for (const i of result.idle) expect(i.memoryBytes).toBeGreaterThan(0);
    const mem = (k: string) => result.idle.find((i) => i.kind === k)!.memoryBytes;
    expect(mem("vm")).toBeGreaterThan(mem("process"));
    expect(result.idle.find((i) => i.kind === "container")!.memorySource).toBe("cgroup");
    expect(result.idle.find((i) => i.kind === "vm")!.accel).toBe(TEST_ACCEL);
    console.log(
      `[overhead] ${result.rows.map((r) => `${r.metric}: container ${r.ratio.container?.toFixed(2)}×, vm ${r.ratio.vm?.toFixed(2)}×`).join("; ")}; idle ${result.idle
        .map((i) => `${i.kind} ${i.cpuPercent.toFixed(2)} % ${(i.memoryBytes / 2 ** 20).toFixed(1)} MiB`)
        .join(", ")}`,
    );
    expect(supervisor.list()).toEqual([]);
  }, 120_000);

  it("records survive re-opening the database, and a restart marks a run cut off mid-way as interrupted", async () => {
    const before = runner.get(startupId);
    const { id } = runner.submit(plan({ type: "startup", runs: 20, kinds: ["process", "container"], warmup: false }));
    await expect.poll(() => runner.get(id).samples.length, { timeout: 10_000 }).toBeGreaterThan(2);

    // A second process opening the same file after the first one died.
    const reopened = new ExperimentStore(openDatabase(dbFile));
    const restarted = makeRunner(reopened, () => false);
    expect(restarted.recoverInterrupted()).toEqual([id]);
    expect(restarted.get(startupId)).toEqual(before);
    expect(restarted.get(id)).toMatchObject({ status: "interrupted", error: expect.stringMatching(/interrupted/) });
    expect(restarted.list().map((x) => x.id)).toContain(startupId);

    // The "dead" runner's late verdict does not overwrite the restart's, and it leaves nothing running.
    await runner.cancel(id);
    expect(restarted.get(id).status).toBe("interrupted");
    expect(supervisor.list()).toEqual([]);
    reopened.db.close();
  }, 60_000);
});
