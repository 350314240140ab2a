import { beforeEach, describe, expect, it } from "vitest";
import type { DensityResult } from "@/lib/experiments/density/types";
import type { IsolationResult } from "@/lib/experiments/isolation/types";
import { GIB, MIB, hostReserveBytes } from "@/lib/host/memory-guard";
import { ExperimentPlanSchema, type ExperimentPlanInput } from "@/lib/schemas/experiment";
import type { ExecRequest } from "@/lib/schemas/instance";
import type { ExecResult, Instance } from "@/lib/core/types";
import { CapacityError, NotFoundError } from "@/server/errors";
import { openDatabase } from "@/server/store/db";
import { ExperimentStore } from "@/server/store/experiments";
import type { HostProbes, HogReading } from "./host-probes";
import type { ExecStreamOptions } from "./context";
import { FakeClock, FakeSupervisor, fakeEnvironment } from "./fakes";
import { ExperimentRunner } from "./runner";

// The isolation and density runners against a fake supervisor, fake host
// readings and fake time: the guards (reserve before every step, the
// unlimited hog's cap and watchdog, caps, budget) and cleanup on cancel.

/** The fake supervisor, with progress lines, abort signals and a console log. */
class StreamingSupervisor extends FakeSupervisor {
  script: (inst: Instance, req: ExecRequest, opts: ExecStreamOptions) => Promise<ExecResult> | ExecResult = () => ({ exitCode: 0, output: "", durationMs: 1 });
  override async exec(id: string, req: ExecRequest, opts: ExecStreamOptions = {}): Promise<ExecResult> {
    const inst = this.live.get(id);
    if (!inst) throw new NotFoundError(`no ${id}`);
    this.calls.push(`exec ${inst.kind} ${req.command}`);
    return this.script(inst, req, opts);
  }
  override handle(id: string) {
    const h = super.handle(id);
    return h && { ...h, logPath: `/fake/${id}/console.log` };
  }
}

class FakeProbes implements HostProbes {
  totalBytes = 24 * GIB;
  availableBytes = 20 * GIB;
  lowest = Infinity;
  readonly hogs = new Map<number, HogReading>();
  console = "";
  hostMemory() {
    this.lowest = Math.min(this.lowest, this.availableBytes);
    return { totalBytes: this.totalBytes, availableBytes: this.availableBytes, swapTotalBytes: 0, swapFreeBytes: 0 };
  }
  hogMemory(t: { pid: number; kind: string }) {
    return this.hogs.get(t.pid) ?? { hostBytes: 1 * MIB, ...(t.kind === "container" ? { oomKills: 0, limitBytes: null } : {}) };
  }
  cores() {
    return 2;
  }
  readText() {
    return this.console;
  }
  kernelMemory() {
    return {
      slabBytes: 200 * MIB,
      sReclaimableBytes: 120 * MIB,
      sUnreclaimBytes: 80 * MIB,
      pageTablesBytes: 6 * MIB,
      kernelStackBytes: 4 * MIB,
      percpuBytes: 3 * MIB,
    };
  }
  hostLimits() {
    return {
      kernel: { pidMax: 32768, threadsMax: 192726, threadsInUse: 150, namespaces: { net: { max: 96363, inUse: 2 } } },
      isolab: { maxInstances: 32, maxMemoryMiB: 12_000 },
    };
  }
  hostTasks() {
    return 150;
  }
  othersAnonBytes() {
    return 0;
  }
  instanceFootprint() {
    return { tasks: 2, namespaces: { net: 1 as const } };
  }
  /** A templated VM's RAM file: 80 MiB of its 128 MiB held by tmpfs (as a TCG probe guest touches). */
  ramFile: { residentBytes: number; sizeBytes: number } | null = { residentBytes: 80 * MIB, sizeBytes: 128 * MIB };
  templateFile(t: { kind: string }) {
    return t.kind === "vm" && this.ramFile ? { path: "/dev/shm/isolab-t-k.ram", deleted: false, ...this.ramFile } : null;
  }
}

let clock: FakeClock;
let sup: StreamingSupervisor;
let probes: FakeProbes;
let store: ExperimentStore;

const plan = (p: ExperimentPlanInput) => ExperimentPlanSchema.parse(p);
function runner() {
  return new ExperimentRunner({
    store,
    supervisor: async () => sup,
    clock,
    captureEnvironment: async () => fakeEnvironment("tcg"),
    readHostUsage: async (t) => ({
      cpuNs: clock.now() * 1e4 * (t.kind === "vm" ? 2 : 0),
      cpuResolutionNs: 1e7,
      memoryBytes: t.kind === "vm" ? 150 * MIB : 0.5 * MIB,
    }),
    hostProbes: probes,
    owner: "me",
    ownerAlive: (o) => o === "me",
  });
}

/** Emits latency ticks as fake time passes, until the run stops it. */
async function latency(opts: ExecStreamOptions): Promise<ExecResult> {
  for (let tick = 0; tick < 2000 && !opts.signal?.aborted; tick++) {
    await clock.sleep(50);
    opts.onLine?.(JSON.stringify({ progress: true, tick, oversleepUs: 100 + (tick % 7) }));
  }
  throw new Error("latency cancelled");
}

function lines(opts: ExecStreamOptions, upTo: number, step = 4) {
  for (let mib = step; mib <= upTo; mib += step) opts.onLine?.(JSON.stringify({ progress: true, touchedMiB: mib, seconds: 0.1 }));
}

/** The hogs behave as on the real host: a cgroup OOM kill, a guest OOM kill, a clean 1 GiB. */
function realisticHogs() {
  sup.script = async (inst, req, opts) => {
    if (req.command === "latency") return latency(opts);
    if (req.command === "ping") return { exitCode: 0, output: '{"pong":true}', json: { pong: true }, durationMs: 1 };
    const asked = Number(req.args[0]);
    if (inst.kind === "vm") {
      lines(opts, 64);
      probes.console += "[ 1.6] Out of memory: Killed process 85 (probe) total-vm:69872kB\n";
      return { exitCode: 137, output: "", durationMs: 5 };
    }
    if (inst.memoryMiB === 64) {
      lines(opts, 60);
      probes.hogs.set(inst.pid!, { hostBytes: 0.4 * MIB, limitBytes: 64 * MIB, oomKills: 1, peakBytes: 64 * MIB });
      return { exitCode: 137, output: "", durationMs: 5 };
    }
    lines(opts, asked, 32);
    return { exitCode: 0, output: "", durationMs: 5 };
  };
}

beforeEach(() => {
  clock = new FakeClock();
  sup = new StreamingSupervisor();
  probes = new FakeProbes();
  store = new ExperimentStore(openDatabase(":memory:"));
});

describe("isolation experiment", () => {
  it("runs every hog after the neighbours' baseline, records what happened and removes every instance", async () => {
    realisticHogs();
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "isolation" })).id);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("done");
    expect(sup.calls.filter((c) => c.startsWith("create"))).toEqual([
      "create process",
      "create container",
      "create vm", // neighbours
      "create container",
      "create vm",
      "create container", // hogs
    ]);
    expect(sup.calls.filter((c) => c.startsWith("exec") && c.endsWith("mem"))).toEqual(["exec container mem", "exec vm mem", "exec container mem"]);
    expect(sup.live.size).toBe(0);
    const result = rec.result as IsolationResult;
    expect(result.hogs.map((h) => [h.hog, h.killedBy, h.askedMiB])).toEqual([
      ["container-limited", "cgroup", 128],
      ["vm", "guest-kernel", 256],
      ["container-unlimited", null, 1024],
    ]);
    expect(result.hogs[1].runningAfter).toBe(true);
    expect(result.phases.map((p) => p.id)).toEqual(["before", "container-limited", "vm", "container-unlimited", "after"]);
    expect(result.neighbours.map((n) => n.kind)).toEqual(["process", "container", "vm"]);
    expect(result.neighbours[0].perPhase.before?.n).toBeGreaterThan(0);
    expect(result.verdicts.map((v) => v.outcome)).toEqual(["contained", "contained", "not-contained"]);
    // Neighbours ran until the timeline ended, then were stopped, not waited out.
    expect(rec.samples.filter((s) => s.sample === "latency").length).toBeGreaterThan(10);
  });

  it("refuses to start when the host could not hold it above its reserve, and starts nothing", async () => {
    probes.availableBytes = hostReserveBytes(probes.totalBytes) + 512 * MIB;
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "isolation" })).id);
    expect(rec.status).toBe("failed");
    expect(rec.error).toMatch(/^Refused the isolation run: it needs about \d+ MiB, the host has .* free, so only 512 MiB may be used\.$/);
    expect(sup.calls).toEqual([]);
  });

  it("checks the host again before the unlimited hog and refuses it if the reserve would be crossed", async () => {
    realisticHogs();
    sup.onCreate.container = (input) => {
      // Something else on the host took memory while the run set up.
      if (input.memoryMiB === 1024) probes.availableBytes = hostReserveBytes(probes.totalBytes) + 100 * MIB;
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "isolation", hogs: ["container-unlimited"], neighbours: ["process"] })).id);
    expect(rec.status).toBe("done");
    const h = (rec.result as IsolationResult).hogs[0];
    expect(h.error).toMatch(/^Refused the unlimited hog: only 0 MiB could be taken/);
    expect(sup.calls.some((c) => c === "exec container mem")).toBe(false);
    expect((rec.result as IsolationResult).verdicts[0]).toMatchObject({ outcome: "skipped" });
  });

  it("sizes the unlimited hog down to stay off the reserve", async () => {
    realisticHogs();
    probes.availableBytes = hostReserveBytes(probes.totalBytes) + 2 * GIB;
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "isolation", hogs: ["container-unlimited"], neighbours: ["process"], unlimitedMiB: 4096 })).id);
    const h = (rec.result as IsolationResult).hogs[0];
    expect(h).toMatchObject({ capBound: "host reserve", askedMiB: 2048 - 256, capBytes: (2048 - 256) * MIB });
  });

  it("the watchdog kills an unlimited hog that outgrows its cap, and says so", async () => {
    sup.script = async (inst, req, opts) => {
      if (req.command === "latency") return latency(opts);
      // A hog that ignores its argument: its cgroup grows past the cap until it is killed.
      probes.hogs.set(inst.pid!, { hostBytes: 1500 * MIB, oomKills: 0, limitBytes: null });
      await new Promise<void>((_, reject) => opts.signal?.addEventListener("abort", () => reject(new Error("killed")), { once: true }));
      return { exitCode: 0, output: "", durationMs: 1 };
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "isolation", hogs: ["container-unlimited"], neighbours: ["container"] })).id);
    expect(rec.status).toBe("done");
    const result = rec.result as IsolationResult;
    expect(result.hogs[0]).toMatchObject({ killedBy: "isolab-guard", guardStopped: true });
    expect(result.hogs[0].guardReason).toMatch(/held 1500 MiB, over its hard cap of 1024 MiB/);
    expect(result.verdicts[0].text).toMatch(/Isolab's guard had to/);
    expect(result.events.map((e) => e.label)).toContain("stopped by Isolab's guard");
    expect(sup.live.size).toBe(0);
  });

  it("the watchdog also stops the hog when the host falls below its reserve", async () => {
    sup.script = async (inst, req, opts) => {
      if (req.command === "latency") return latency(opts);
      probes.availableBytes = 3 * GIB; // the rest of the host took memory meanwhile
      await new Promise<void>((_, reject) => opts.signal?.addEventListener("abort", () => reject(new Error("killed")), { once: true }));
      return { exitCode: 0, output: "", durationMs: 1 };
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "isolation", hogs: ["container-unlimited"], neighbours: ["process"] })).id);
    expect((rec.result as IsolationResult).hogs[0].guardReason).toMatch(/available memory fell to 3.0 GiB, below its reserve/);
  });

  it("cancel mid-run stops the neighbours' latency and removes every instance", async () => {
    realisticHogs();
    const inner = sup.script;
    let cancelNow!: () => void;
    const reached = new Promise<void>((r) => (cancelNow = r));
    sup.script = (inst, req, opts) => {
      if (req.command === "mem" && inst.kind === "vm") cancelNow();
      return inner(inst, req, opts);
    };
    const r = runner();
    const { id } = r.submit(plan({ type: "isolation" }));
    await reached;
    await r.cancel(id);
    const rec = r.get(id);
    expect(rec.status).toBe("cancelled");
    expect(sup.live.size).toBe(0);
  });

  it("a hog that fails to start is reported with the reason; the others still run", async () => {
    realisticHogs();
    sup.onCreate.vm = (input) => {
      if (input.memoryMiB === 128 && input.name?.endsWith("vh2")) throw new CapacityError("Memory cap reached: 128 MiB asked");
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "isolation" })).id);
    const result = rec.result as IsolationResult;
    expect(result.hogs.map((h) => h.error)).toEqual([null, "it did not start: Memory cap reached: 128 MiB asked", null]);
    expect(result.phases.map((p) => p.id)).toEqual(["before", "container-limited", "container-unlimited", "after"]);
  });
});

describe("density experiment", () => {
  it("adds instances one at a time up to --max per kind, removes each kind before the next", async () => {
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "density", max: 4, maxVm: 2 })).id);
    expect(rec.error).toBeNull();
    const creates = sup.calls.filter((c) => c.startsWith("create") || c.startsWith("remove"));
    expect(creates).toEqual([
      ...Array(4).fill("create container"),
      ...Array(4).fill("remove container"),
      ...Array(2).fill("create vm"),
      ...Array(2).fill("remove vm"),
    ]);
    const result = rec.result as DensityResult;
    expect(result.kinds.map((k) => [k.kind, k.reached, k.stopReason])).toEqual([
      ["container", 4, "max"],
      ["vm", 2, "max"],
    ]);
    expect(result.kinds[0].marginal.hostView?.slope).toBeCloseTo(0.5, 10);
    expect(result.kinds[1].marginal.hostView?.slope).toBeCloseTo(150, 10);
    expect(result.ratioVmToContainer).toBeCloseTo(300, 6);
    expect(result.kinds[1].steps[1].startupMs).toBe(1230);
    expect(sup.live.size).toBe(0);
  });

  it("templated VMs: the template's clone goes before the baseline, and its RAM file is recorded once, apart from the slope", async () => {
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "density", kinds: ["vm-template"], max: 2 })).id);
    expect(rec.error).toBeNull();
    expect(sup.calls.filter((c) => c.startsWith("create") || c.startsWith("remove"))).toEqual([
      "create vm template",
      "remove vm",
      "create vm template",
      "create vm template",
      "remove vm",
      "remove vm",
    ]);
    const template = rec.samples.filter((s) => s.sample === "template");
    expect(template).toMatchObject([{ kind: "vm-template", rep: 0, values: { resident_bytes: 80 * MIB, size_bytes: 128 * MIB } }]);
    expect(template[0].seq).toBeLessThan(rec.samples.find((s) => s.sample === "step")!.seq);
    const k = (rec.result as DensityResult).kinds[0];
    expect(k.templateFile).toEqual({ residentBytes: 80 * MIB, sizeBytes: 128 * MIB });
    expect(k.steps.map((s) => s.instances)).toEqual([0, 1, 2]);

    probes.ramFile = null;
    const none = await r.waitFor(r.submit(plan({ type: "density", kinds: ["vm-template"], max: 1 })).id);
    expect(none.samples.find((s) => s.sample === "template")?.error).toBe("the clone mapped no RAM file of its guest's size");
    expect((none.result as DensityResult).kinds[0].templateFile).toBeNull();
    expect(sup.live.size).toBe(0);
  });

  it("checks the reserve before every step and stops with the reason before crossing it", async () => {
    const reserve = hostReserveBytes(probes.totalBytes);
    probes.availableBytes = reserve + 1 * GIB;
    sup.onCreate.vm = () => {
      probes.availableBytes -= 300 * MIB;
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "density", kinds: ["vm"], max: 10 })).id);
    const k = (rec.result as DensityResult).kinds[0];
    expect(k.stopReason).toBe("reserve");
    expect(k.stopText).toMatch(/^the next instance would have taken the host into its memory reserve: Refused vm #\d+: it needs about \d+ MiB/);
    expect(probes.lowest).toBeGreaterThanOrEqual(reserve);
    expect(k.reached).toBe(3);
    expect(sup.live.size).toBe(0);
  });

  it("stops at Isolab's caps (429) and at the run's memory budget", async () => {
    let n = 0;
    sup.onCreate.container = () => {
      if (++n === 3) throw new CapacityError("Instance cap reached: 2 of 2 instances are live.");
    };
    const r = runner();
    const capped = await r.waitFor(r.submit(plan({ type: "density", kinds: ["container"], max: 10 })).id);
    expect((capped.result as DensityResult).kinds[0]).toMatchObject({ reached: 2, stopReason: "cap", stopText: expect.stringMatching(/Instance cap reached/) });

    sup.onCreate.vm = () => {
      probes.availableBytes -= 200 * MIB;
    };
    const budget = await r.waitFor(r.submit(plan({ type: "density", kinds: ["vm"], max: 10, budgetMiB: 500 })).id);
    expect((budget.result as DensityResult).kinds[0]).toMatchObject({
      reached: 1,
      stopReason: "budget",
      stopText: expect.stringMatching(/over the budget of 500 MiB/),
    });
    expect(sup.live.size).toBe(0);
  });

  it("at scale measures on a geometric schedule, names the first limit and checks its prediction against a budget", async () => {
    sup.onCreate.container = () => {
      probes.availableBytes -= 2 * MIB;
    };
    const r = runner();
    const rec = await r.waitFor(r.submit(plan({ type: "density", kinds: ["container"], max: 300, budgetMiB: 200 })).id);
    expect(rec.error).toBeNull();
    expect(rec.samples.filter((s) => s.sample === "step").map((s) => s.rep)).toEqual([0, 1, 2, 5, 10, 20, 50, 100]);
    const k = (rec.result as DensityResult).kinds[0];
    expect(k).toMatchObject({ reached: 100, stopReason: "budget", marginal: { chosenFrom: "memavailable" } });
    expect(k.marginal.chosenMiB).toBeCloseTo(2, 10);
    expect(k.verify).toMatchObject({ calibratedOn: 50, predicted: 100, reached: 100, budgetUsed: true, error: 0 });
    expect(k.limits?.tasksPerInstance).toBe(2);
    expect(k.limits?.first).toMatchObject({ id: "isolab-instances", count: 32 });
    expect(k.limits?.counts.find((c) => c.id === "pid_max")?.count).toBe(16309);
    expect(sup.live.size).toBe(0);
  });

  it("a failure mid-run fails the run with the reason and removes every instance", async () => {
    let reads = 0;
    const r = new ExperimentRunner({
      store,
      supervisor: async () => sup,
      clock,
      captureEnvironment: async () => fakeEnvironment("tcg"),
      readHostUsage: async () => {
        if (++reads > 4) throw new Error("cannot read /proc/4242/smaps_rollup");
        return { cpuNs: 0, cpuResolutionNs: 1e7, memoryBytes: MIB };
      },
      hostProbes: probes,
      owner: "me",
      ownerAlive: (o) => o === "me",
    });
    const rec = await r.waitFor(r.submit(plan({ type: "density", kinds: ["container"], max: 10 })).id);
    expect(rec.status).toBe("failed");
    expect(rec.error).toMatch(/cannot read \/proc\/4242\/smaps_rollup/);
    expect(sup.calls.filter((c) => c.startsWith("create"))).toHaveLength(2);
    expect(sup.live.size).toBe(0);
  });

  it("cancel mid-run removes every instance it started", async () => {
    let cancelNow!: () => void;
    const reached = new Promise<void>((r) => (cancelNow = r));
    let n = 0;
    sup.onCreate.container = () => {
      if (++n === 3) cancelNow();
    };
    const r = runner();
    const { id } = r.submit(plan({ type: "density", kinds: ["container"], max: 10 }));
    await reached;
    await r.cancel(id);
    expect(r.get(id).status).toBe("cancelled");
    expect(sup.live.size).toBe(0);
  });
});
