import { beforeEach, describe, expect, it } from "vitest";
import type { ExperimentEvent } from "@/lib/experiments/types";
import type { OverheadResult } from "@/lib/experiments/overhead/types";
import type { StartupResult } from "@/lib/experiments/startup/types";
import { ExperimentPlanSchema, type ExperimentPlanInput } from "@/lib/schemas/experiment";
import { MissingDependencyError, StartFailedError } from "@/server/errors";
import { openDatabase } from "@/server/store/db";
import { ExperimentStore } from "@/server/store/experiments";
import { FakeClock, FakeSupervisor, fakeEnvironment } from "./fakes";
import type { HostUsage, UsageTarget } from "./host-usage";
import { ExperimentRunner, MAX_QUEUED_EXPERIMENTS, type RunnerDeps } from "./runner";

let clock: FakeClock;
let sup: FakeSupervisor;
let store: ExperimentStore;
let events: ExperimentEvent[];
let usage: (t: UsageTarget, clock: FakeClock) => HostUsage;

function runner(over: Partial<RunnerDeps> = {}) {
  return new ExperimentRunner({
    store,
    supervisor: async () => sup,
    clock,
    captureEnvironment: async () => fakeEnvironment("tcg"),
    readHostUsage: async (t) => usage(t, clock),
    owner: "me",
    ownerAlive: (o) => o === "me",
    publish: (e) => events.push(e),
    ...over,
  });
}
const plan = (p: ExperimentPlanInput) => ExperimentPlanSchema.parse(p);

beforeEach(() => {
  clock = new FakeClock();
  sup = new FakeSupervisor();
  store = new ExperimentStore(openDatabase(":memory:"));
  events = [];
  // 1 % of a core for processes, 2 % for containers, 5 % for VMs; memory by kind.
  const pct = { process: 1, container: 2, vm: 5 };
  const mem = { process: 1 << 20, container: 4 << 20, vm: 100 << 20 };
  usage = (t, c) => ({ cpuNs: c.now() * 1e4 * pct[t.kind], cpuResolutionNs: 1e7, memoryBytes: mem[t.kind], pssBytes: mem[t.kind] });
});

describe("startup experiment", () => {
  it("alternates kinds run by run, after one warm-up each, and removes every instance", async () => {
    const r = runner();
    const { id } = r.submit(plan({ type: "startup", runs: 2 }));
    const rec = await r.waitFor(id);
    expect(rec.status).toBe("done");
    expect(sup.calls.filter((c) => c.startsWith("create"))).toEqual([
      "create process",
      "create container",
      "create vm",
      "create vm warm", // warm-up
      "create process",
      "create container",
      "create vm",
      "create vm warm",
      "create process",
      "create container",
      "create vm",
      "create vm warm",
    ]);
    // Each instance is removed before the next start.
    expect(sup.calls.slice(0, 4)).toEqual(["create process", "remove process", "create container", "remove container"]);
    expect(sup.live.size).toBe(0);
    expect(rec.samples).toHaveLength(12);
    expect(rec.samples.filter((s) => s.warmup)).toHaveLength(4);
    expect(rec.samples.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("summarizes per kind and phase with the vm/container ratio on medians", async () => {
    sup.scale.vm = 2;
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "startup", runs: 3, warmup: false })).id);
    const result = rec.result as StartupResult;
    expect(result.kinds.map((k) => [k.kind, k.total.median, k.total.n])).toEqual([
      ["process", 3, 3],
      ["container", 30, 3],
      ["vm", 2460, 3],
      ["vm-warm", 220, 3],
    ]);
    expect(result.kinds[2].phases.map((p) => p.name)).toEqual(["qemu-up", "kernel", "ready"]);
    expect(result.kinds[2].accel).toBe("tcg");
    expect(result.ratioVmToContainer).toBeCloseTo(82, 10);
    // The first warm start built the template: kept as a warm-up, and its run repeated.
    expect(result.kinds[3].phases.map((p) => p.name)).toEqual(["qemu-up", "state-loaded", "ready"]);
    const warm = rec.samples.filter((s) => s.kind === "vm-warm");
    expect(warm.map((s) => [s.rep, s.warmup, s.values["phase_template_ms"] !== undefined])).toEqual([
      [1, true, true],
      [1, false, false],
      [2, false, false],
      [3, false, false],
    ]);
    expect(result.ratioWarmToVm).toBeCloseTo(220 / 2460, 10);
    expect(result.memory).toBeNull();
    expect(rec.environment?.accelerator).toEqual({ accel: "tcg", reason: "probed in test" });
    expect(rec.environment?.host.kernelRelease).toBe("6.1.0");
  });

  it("reports a kind that cannot run as skipped with the reason, not as zero", async () => {
    sup.onCreate.vm = () => {
      throw new MissingDependencyError("qemu", "qemu-system-x86_64 is not installed.");
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "startup", runs: 3 })).id);
    const result = rec.result as StartupResult;
    expect(rec.status).toBe("done");
    const missing = expect.stringMatching(/qemu-system-x86_64 is not installed/);
    expect(result.skipped).toEqual([
      { kind: "vm", reason: missing },
      { kind: "vm-warm", reason: missing },
    ]);
    expect(result.kinds.map((k) => k.kind)).toEqual(["process", "container"]);
    expect(result.ratioVmToContainer).toBeNull();
    expect(rec.samples.some((s) => s.kind === "vm")).toBe(false);
    expect(sup.calls.filter((c) => c === "create vm")).toHaveLength(1);
    expect(rec.progress).toMatchObject({ done: 16, total: 16 });
  });

  it("watches a cold and a restored VM's host memory once a second after the runs, and says how the restored one's arrived", async () => {
    // The restored VM is resident at once; the cold one grows as it boots.
    const readMemory = (pid: number) => {
      const inst = [...sup.live.values()].find((i) => i.pid === pid)!;
      const t = clock.now() / 1000;
      return inst.name.endsWith("-wm") ? { pssBytes: 90 << 20, rssBytes: 120 << 20 } : { pssBytes: (50 + t) << 20, rssBytes: (80 + t) << 20 };
    };
    const r = runner({ readMemory });
    const rec = await r.waitFor(r.submit(plan({ type: "startup", runs: 1, warmup: false, kinds: ["vm", "vm-warm"], memorySeconds: 3 })).id);
    expect(rec.status).toBe("done");
    const mem = rec.samples.filter((s) => s.sample === "memory");
    // (The fake clock is shared by both watchers, so their sleeps add up: only the order is certain.)
    const warmTimes = mem.filter((s) => s.kind === "vm-warm").map((s) => s.values.t_s);
    expect(mem.filter((s) => s.kind === "vm-warm").map((s) => s.rep)).toEqual([0, 1, 2, 3]);
    expect(warmTimes[0]).toBe(0);
    expect([...warmTimes].sort((a, b) => a - b)).toEqual(warmTimes);
    expect(mem.filter((s) => s.kind === "vm")).toHaveLength(4);
    const m = (rec.result as StartupResult).memory!;
    expect(m.series.map((s) => s.kind)).toEqual(["vm", "vm-warm"]);
    expect(m.warmArrival).toEqual({ firstFraction: 1, verdict: "all-at-once" });
    expect(m.seconds).toBeGreaterThanOrEqual(3);
    expect((rec.result as StartupResult).kinds.map((k) => [k.kind, k.total.n])).toEqual([
      ["vm", 1],
      ["vm-warm", 1],
    ]);
    expect(sup.live.size).toBe(0);
    expect(rec.progress).toMatchObject({ done: 5, total: 5 });
  });

  it("skips a kind after three failed starts in a row, removing each failed record", async () => {
    sup.onCreate.container = () => {
      throw new StartFailedError("runc create exited with 1");
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "startup", runs: 5, warmup: false, kinds: ["process", "container"] })).id);
    const result = rec.result as StartupResult;
    expect(result.skipped[0]).toMatchObject({ kind: "container", reason: expect.stringMatching(/3 times in a row; last: runc create exited with 1/) });
    expect(rec.samples.filter((s) => s.kind === "container").map((s) => s.error)).toEqual(Array(3).fill("runc create exited with 1"));
    expect(rec.samples.filter((s) => s.kind === "process")).toHaveLength(5);
    expect(sup.live.size).toBe(0);
  });

  it("cancel stops a run mid-start, waits for the start to settle and removes the instance", async () => {
    let release!: () => void;
    let started!: () => void;
    const inCreate = new Promise<void>((r) => (started = r));
    sup.onCreate.vm = () => {
      started();
      return new Promise<void>((r) => (release = r));
    };
    const r = runner();
    const { id } = r.submit(plan({ type: "startup", runs: 5, warmup: false }));
    await inCreate;
    expect(r.item(id).status).toBe("running");
    const cancelled = r.cancel(id);
    let settled = false;
    void cancelled.then(() => (settled = true));
    await new Promise((res) => setTimeout(res, 10));
    expect(settled).toBe(false); // the VM start is still in flight
    release();
    const rec = await cancelled;
    expect(rec.status).toBe("cancelled");
    expect(rec.error).toMatch(/cancelled/);
    expect(sup.live.size).toBe(0);
    expect(sup.calls.at(-1)).toBe("remove vm");
    // Partial results are kept and summarized.
    expect((r.get(id).result as StartupResult).kinds.map((k) => k.kind)).toEqual(["process", "container"]);
    // Cancelling again answers the same record.
    expect((await r.cancel(id)).status).toBe("cancelled");
  });

  it("queues a second experiment until the first finishes, and cancels a queued one without running it", async () => {
    const r = runner();
    const a = r.submit(plan({ type: "startup", runs: 1, kinds: ["process"] }));
    const b = r.submit(plan({ type: "startup", runs: 1, kinds: ["container"] }));
    const c = r.submit(plan({ type: "startup", runs: 1, kinds: ["vm"] }));
    expect(r.item(b.id).status).toBe("queued");
    expect((await r.cancel(c.id)).status).toBe("cancelled");
    await r.waitFor(b.id);
    expect(r.item(a.id).status).toBe("done");
    expect(r.item(b.id).status).toBe("done");
    expect(sup.calls.some((x) => x === "create vm")).toBe(false);
    const order = events.filter((e) => e.status === "running" && e.progress === null).map((e) => e.id);
    expect(order).toEqual([a.id, b.id]);
  });

  it("publishes progress events ending in the verdict", async () => {
    const r = runner();
    const { id } = r.submit(plan({ type: "startup", runs: 2, kinds: ["process"], warmup: false }));
    await r.waitFor(id);
    const mine = events.filter((e) => e.id === id);
    expect(mine[0].status).toBe("queued");
    expect(mine.map((e) => e.progress?.done).filter((d) => d !== undefined)).toEqual([0, 1, 2, 2]);
    expect(mine.at(-1)).toMatchObject({ status: "done", progress: { done: 2, total: 2 } });
  });
});

describe("overhead experiment", () => {
  it("runs every workload R times per kind, ratios to the bare process, idle cost over the window", async () => {
    sup.onExec = (inst, req) => {
      const json = {
        cpu: { workload: "cpu", ops: 1, seconds: 1, opsPerSec: { process: 1000, container: 990, vm: 50 }[inst.kind] },
        syscall: { workload: "syscall", calls: 1, nsPerCall: { process: 200, container: 210, vm: 4000 }[inst.kind] },
      }[req.command as "cpu" | "syscall"];
      return { exitCode: 0, output: JSON.stringify(json), json, durationMs: 1 };
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "overhead", reps: 2, workloads: ["cpu", "syscall"], idleSeconds: 5 })).id);
    expect(rec.status).toBe("done");
    expect(sup.calls.filter((c) => c.startsWith("exec"))).toEqual([
      "exec process cpu",
      "exec process syscall",
      "exec process cpu",
      "exec process syscall",
      "exec container cpu",
      "exec container syscall",
      "exec container cpu",
      "exec container syscall",
      "exec vm cpu",
      "exec vm syscall",
      "exec vm cpu",
      "exec vm syscall",
    ]);
    const result = rec.result as OverheadResult;
    const row = (m: string) => result.rows.find((x) => x.metric === m)!;
    expect(row("ops_per_s").ratio).toEqual({ process: 1, container: 0.99, vm: 0.05 });
    expect(row("ns_per_call").direction).toBe("lower");
    expect(row("ns_per_call").ratio).toEqual({ process: 1, container: 1.05, vm: 20 });
    expect(result.idle.map((i) => [i.kind, i.windowMs, i.cpuPercent, i.memoryBytes])).toEqual([
      ["process", 5000, 1, 1 << 20],
      ["container", 5000, 2, 4 << 20],
      ["vm", 5000, 5, 100 << 20],
    ]);
    expect(result.idle[2].accel).toBe("tcg");
    expect(sup.live.size).toBe(0);
  });

  it("records a failing workload as an error sample and skips a kind that cannot start", async () => {
    sup.onCreate.container = () => {
      throw new MissingDependencyError("runc", "runc is not installed.");
    };
    sup.onExec = (inst, req) =>
      req.command === "io" && inst.kind === "vm"
        ? { exitCode: 1, output: "io: cannot create a file in /tmp", durationMs: 1 }
        : {
            exitCode: 0,
            output: "",
            json: { cpu: { workload: "cpu", ops: 1, seconds: 1, opsPerSec: 5 }, io: { workload: "io", writeMBps: 1, readMBps: 2 } }[
              req.command as "cpu" | "io"
            ],
            durationMs: 1,
          };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "overhead", reps: 1, workloads: ["cpu", "io"], idleSeconds: 1 })).id);
    const result = rec.result as OverheadResult;
    expect(result.skipped).toEqual([{ kind: "container", reason: expect.stringMatching(/runc is not installed/) }]);
    expect(rec.samples.find((s) => s.kind === "vm" && s.sample === "io")?.error).toMatch(/exited with 1: io: cannot create/);
    expect(result.rows.find((x) => x.metric === "write_mbps")?.ratio).toEqual({ process: 1, vm: null });
    expect(rec.progress).toMatchObject({ done: 9, total: 9 });
  });

  it("a cancel during the idle window removes the instance", async () => {
    const r = runner();
    let id = "";
    usage = (t, c) => {
      if (t.kind === "container") void r.cancel(id);
      return { cpuNs: c.now(), cpuResolutionNs: 1, memoryBytes: 1 };
    };
    id = r.submit(plan({ type: "overhead", reps: 1, idleSeconds: 1 })).id;
    const rec = await r.waitFor(id);
    expect(rec.status).toBe("cancelled");
    expect(sup.live.size).toBe(0);
    expect(sup.calls.some((c) => c === "create vm")).toBe(false);
  });
});

describe("restarts and shutdown", () => {
  it("marks runs left queued or running by a dead process as interrupted, and leaves a live owner's alone", () => {
    store.insert({ id: "x0000000001", type: "startup", plan: {}, createdAt: "2025-01-01T00:00:00.000Z", owner: "dead:1" });
    store.insert({ id: "x0000000002", type: "startup", plan: {}, createdAt: "2025-01-01T00:00:01.000Z", owner: "dead:1" });
    store.markRunning("x0000000002", "2025-01-01T00:00:02.000Z", fakeEnvironment());
    store.insert({ id: "x0000000003", type: "startup", plan: {}, createdAt: "2025-01-01T00:00:03.000Z", owner: "other-live" });
    const r = runner({ ownerAlive: (o) => o === "other-live" });
    expect(r.recoverInterrupted().sort()).toEqual(["x0000000001", "x0000000002"]);
    expect(r.item("x0000000001")).toMatchObject({ status: "interrupted", error: expect.stringMatching(/while it was queued/) });
    expect(r.item("x0000000002")).toMatchObject({ status: "interrupted", error: expect.stringMatching(/while it was running/) });
    expect(r.item("x0000000003").status).toBe("queued");
    expect(r.recoverInterrupted()).toEqual([]);
  });

  it("shutdown interrupts the running and queued runs, removes instances and refuses new ones", async () => {
    let started!: () => void;
    const inCreate = new Promise<void>((res) => (started = res));
    sup.onCreate.container = () => {
      started();
      return new Promise<void>((res) => setTimeout(res, 20));
    };
    const r = runner();
    const a = r.submit(plan({ type: "startup", runs: 3 }));
    const b = r.submit(plan({ type: "startup", runs: 3 }));
    await inCreate;
    await r.shutdown();
    expect(r.item(a.id)).toMatchObject({ status: "interrupted", error: expect.stringMatching(/shut down while it was running/) });
    expect(r.item(b.id).status).toBe("interrupted");
    expect(sup.live.size).toBe(0);
    expect(() => r.submit(plan({ type: "startup" }))).toThrow(/shutting down/);
  });

  it("refuses a run beyond the queue's bound with a 429 naming it, and takes one again once a place frees", async () => {
    const r = runner();
    const running = r.submit(plan({ type: "startup", runs: 1, kinds: ["process"] }));
    const queued = Array.from({ length: MAX_QUEUED_EXPERIMENTS }, () => r.submit(plan({ type: "startup", runs: 1, kinds: ["process"] })));
    expect(() => r.submit(plan({ type: "startup" }))).toThrow(
      expect.objectContaining({ status: 429, message: expect.stringContaining(`${MAX_QUEUED_EXPERIMENTS} experiments are already queued`) }),
    );
    await r.cancel(queued[0].id);
    expect(r.submit(plan({ type: "startup", runs: 1, kinds: ["process"] })).status).toBe("queued");
    await r.shutdown();
    expect(r.item(running.id).status).not.toBe("queued");
  });

  it("answers 404 for an unknown id", async () => {
    const r = runner();
    expect(() => r.get("x0000000009")).toThrow(expect.objectContaining({ status: 404 }));
    await expect(r.cancel("x0000000009")).rejects.toMatchObject({ status: 404 });
  });
});
