import { describe, expect, it } from "vitest";
import type { CgroupUsage } from "@/lib/host/cgroup";
import type { SampleTick } from "@/lib/metrics/samples";
import type { Instance } from "@/lib/core/types";
import type { EngineExecResult, RunningHandle } from "@/server/engine/contract";
import { cgroupUsageReading, readProcUsage } from "@/server/engine/host-usage";
import type { HostReaders } from "./readers";
import { Sampler, type SampleSource } from "./sampler";

// The sampler with fake time, fake /proc and fake instances: no sleeps.

const MiB = 2 ** 20;

/** An idle v1 cgroup holding `pids` (1 MiB used while it holds any; empty once they are gone). */
const idleCgroup = (pids: number[]): CgroupUsage => {
  const mem = pids.length ? MiB : 0;
  return { version: 1, memoryBytes: mem, rssBytes: mem, cacheBytes: 0, limitBytes: null, oomKills: 0, cpuNs: 1, pids: pids.length, procs: pids, tasks: pids };
};
const HOST_TOTAL = 8192 * MiB;

class FakeClock {
  wall = 1_700_000_000_000;
  mono = 0;
  advance(ms: number) {
    this.wall += ms;
    this.mono += ms;
  }
  now = () => this.wall;
  monotonicMs = () => this.mono;
}

class FakeScheduler {
  fn?: () => void;
  cancelled = false;
  every(_ms: number, fn: () => void) {
    this.fn = fn;
    return () => (this.cancelled = true);
  }
}

interface FakeProc {
  ticks: number;
  threads: number;
  start: number;
  state?: string;
  pss: number;
  rss: number;
}

class FakeHost implements HostReaders {
  procs = new Map<number, FakeProc>();
  cgroups = new Map<string, CgroupUsage>();
  hostTicks = { totalTicks: 0, idleTicks: 0 };
  procStat(pid: number) {
    const p = this.procs.get(pid);
    if (!p) throw Object.assign(new Error(`ENOENT /proc/${pid}/stat`), { code: "ENOENT" });
    return { pid, comm: "x", state: p.state ?? "S", utimeTicks: p.ticks, stimeTicks: 0, numThreads: p.threads, startTicks: p.start, rssPages: 0 };
  }
  smapsRollup(pid: number) {
    const p = this.procs.get(pid);
    if (!p) throw new Error("ENOENT");
    return { rssBytes: p.rss, pssBytes: p.pss };
  }
  cgroup(path: string) {
    const c = this.cgroups.get(path);
    if (!c) throw new Error("ENOENT");
    return c;
  }
  meminfo() {
    return { MemTotal: HOST_TOTAL, MemAvailable: 6000 * MiB, MemFree: 5000 * MiB };
  }
  hostCpu() {
    return { ...this.hostTicks };
  }
}

function info(memTotalKiB: number, memAvailableKiB: number, processCount: number) {
  return JSON.stringify({
    hostname: "g",
    kernelRelease: "6.1.0",
    kernelVersion: "#1",
    pid: 9,
    uptimeSeconds: 1,
    processCount,
    processes: [],
    memTotalKiB,
    memAvailableKiB,
    cpus: 1,
    interfaces: ["lo"],
  });
}

function handle(pid: number, over: Partial<RunningHandle> = {}): RunningHandle & { execs: number; resolveExec: (r: EngineExecResult) => void } {
  let resolveExec: (r: EngineExecResult) => void = () => {};
  const h = {
    pid,
    startup: { totalMs: 1, phases: [] },
    logPath: "/dev/null",
    execs: 0,
    resolveExec: (r: EngineExecResult) => resolveExec(r),
    exec: () => {
      h.execs++;
      return new Promise<EngineExecResult>((r) => (resolveExec = r));
    },
    stop: async () => {},
    exited: new Promise<never>(() => {}),
    // As the drivers read it: a container's cgroup, otherwise the process.
    hostUsage: (readers?: HostReaders) => (over.cgroupPath ? cgroupUsageReading(readers!.cgroup(over.cgroupPath)) : readProcUsage(pid, readers)),
    capabilities: {},
    ...over,
  };
  return h;
}

const instance = (id: string, kind: Instance["kind"], state: Instance["state"] = "running"): Instance => ({
  id,
  name: id,
  kind,
  image: "probe",
  state,
  memoryMiB: 128,
  cpus: 1,
  createdAt: "x",
});

function setup(opts: { capacity?: number } = {}) {
  const clock = new FakeClock();
  const scheduler = new FakeScheduler();
  const host = new FakeHost();
  const instances: Instance[] = [];
  const handles = new Map<string, RunningHandle>();
  const source: SampleSource = { list: () => instances.map((i) => ({ ...i })), handle: (id) => handles.get(id) };
  let cpuUs = 0;
  const ticks: SampleTick[] = [];
  const sampler = new Sampler({
    source,
    readers: host,
    clock,
    scheduler,
    cpuUsage: () => {
      cpuUs += 100; // every call costs 0.1 ms of fake CPU
      return { user: cpuUs, system: 0 };
    },
    emit: (t) => ticks.push(t),
    capacity: opts.capacity,
  });
  return { clock, scheduler, host, instances, handles, sampler, ticks };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("Sampler host view", () => {
  it("computes a VM's CPU % of one core from QEMU's tick deltas and reports PSS as host memory", () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push(instance("vm-1", "vm"));
    handles.set("vm-1", handle(100));
    host.procs.set(100, { ticks: 1000, threads: 5, start: 42, pss: 150 * MiB, rss: 160 * MiB });

    expect(sampler.tick().instances["vm-1"]).toMatchObject({
      cpuPercent: null,
      cpuSeconds: 10,
      memoryHostBytes: 150 * MiB,
      rssBytes: 160 * MiB,
      hostThreads: 5,
      hostProcesses: 1,
    });
    clock.advance(1000);
    host.procs.get(100)!.ticks += 50; // 0.5 s of CPU in 1 s
    expect(sampler.tick().instances["vm-1"].cpuPercent).toBeCloseTo(50);
    clock.advance(2000);
    host.procs.get(100)!.ticks += 300; // 3 s in 2 s: two vCPUs busy
    expect(sampler.tick().instances["vm-1"].cpuPercent).toBeCloseTo(150);
  });

  it("reads a container from its cgroup, with rss/cache split, tasks and OOM kills", () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push(instance("ct-1", "container"));
    handles.set("ct-1", handle(200, { cgroupPath: "/isolab/ct-1" }));
    const cg: CgroupUsage = {
      version: 1,
      memoryBytes: 3 * MiB,
      rssBytes: 1 * MiB,
      cacheBytes: 2 * MiB,
      limitBytes: 64 * MiB,
      oomKills: 1,
      cpuNs: 1e9,
      pids: 2,
      procs: [200, 201],
      tasks: [200, 201, 202],
    };
    host.cgroups.set("/isolab/ct-1", cg);
    sampler.tick();
    clock.advance(1000);
    host.cgroups.set("/isolab/ct-1", { ...cg, cpuNs: 1.02e9 });
    expect(sampler.tick().instances["ct-1"]).toMatchObject({
      cpuPercent: expect.closeTo(2, 6),
      memoryHostBytes: 3 * MiB,
      rssBytes: 1 * MiB,
      cacheBytes: 2 * MiB,
      hostThreads: 3,
      hostProcesses: 2,
      oomKills: 1,
    });
  });

  it("records no sample (never zeros) for an instance that died between samples, or whose pid was recycled", () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push(instance("p-1", "process"), instance("ct-1", "container"));
    handles.set("p-1", handle(300));
    handles.set("ct-1", handle(301, { cgroupPath: "/isolab/ct-1" }));
    host.procs.set(300, { ticks: 1, threads: 1, start: 7, pss: MiB, rss: MiB });
    host.cgroups.set("/isolab/ct-1", idleCgroup([301]));
    sampler.tick();

    clock.advance(1000);
    host.procs.set(300, { ticks: 0, threads: 1, start: 999, pss: 5, rss: 5 }); // another process on the same pid
    host.cgroups.set("/isolab/ct-1", idleCgroup([]));
    expect(sampler.tick().instances).toEqual({});
    clock.advance(1000);
    host.procs.delete(300);
    expect(sampler.tick().instances).toEqual({});
    expect(sampler.samples("p-1", 60)).toHaveLength(1);
    expect(sampler.samples("ct-1", 60)).toHaveLength(1);
  });

  it("samples only running instances, keeps a stopped one's history and forgets a deleted one", () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push(instance("p-1", "process"));
    handles.set("p-1", handle(300));
    host.procs.set(300, { ticks: 1, threads: 1, start: 7, pss: MiB, rss: MiB });
    sampler.tick();
    instances[0].state = "stopped";
    clock.advance(1000);
    expect(sampler.tick().instances).toEqual({});
    expect(sampler.samples("p-1", 60)).toHaveLength(1);
    instances.pop();
    sampler.tick();
    expect(sampler.samples("p-1", 60)).toEqual([]);
  });

  it("keeps a fixed number of samples and serves windows by time", () => {
    const { clock, host, instances, handles, sampler } = setup({ capacity: 100 });
    instances.push(instance("p-1", "process"));
    handles.set("p-1", handle(300));
    host.procs.set(300, { ticks: 1, threads: 1, start: 7, pss: MiB, rss: MiB });
    for (let i = 0; i < 250; i++) {
      sampler.tick();
      clock.advance(1000);
    }
    expect(sampler.samples("p-1", 900)).toHaveLength(100);
    expect(sampler.samples("p-1", 60)).toHaveLength(60);
    expect(sampler.hostSamples(60)).toHaveLength(60);
  });

  it("reports host totals and CPU from /proc/stat deltas", () => {
    const { clock, host, sampler } = setup();
    expect(sampler.tick().host).toMatchObject({ cpuPercent: null, memTotalBytes: HOST_TOTAL, memAvailableBytes: 6000 * MiB });
    clock.advance(1000);
    host.hostTicks = { totalTicks: 200, idleTicks: 150 };
    expect(sampler.tick().host?.cpuPercent).toBeCloseTo(25);
  });
});

describe("Sampler guest view", () => {
  it("reads `info` at the slower rate, never two at once, and derives overhead for a VM", async () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push(instance("vm-1", "vm"));
    const h = handle(100);
    handles.set("vm-1", h);
    host.procs.set(100, { ticks: 0, threads: 4, start: 1, pss: 150 * MiB, rss: 160 * MiB });

    sampler.tick();
    expect(h.execs).toBe(1);
    for (let i = 0; i < 7; i++) {
      clock.advance(1000);
      sampler.tick(); // the first read is still pending: no second one
    }
    expect(h.execs).toBe(1);
    h.resolveExec({ exitCode: 0, output: `booting\n${info(100 * 1024, 60 * 1024, 58)}\n` });
    await flush();
    clock.advance(1000);
    const s = sampler.tick().instances["vm-1"];
    expect(s).toMatchObject({ guestMemoryBytes: 40 * MiB, guestMemTotalBytes: 100 * MiB, guestProcesses: 58, overheadBytes: 110 * MiB });
    expect(h.execs).toBe(2); // due again: 5 s passed since the first read started
    clock.advance(1000);
    sampler.tick();
    expect(h.execs).toBe(2);
    expect(sampler.stats().guestReads).toBe(1);
  });

  it("gives no overhead for a container, which reads the host's meminfo", async () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push(instance("ct-1", "container"));
    const h = handle(200, { cgroupPath: "/isolab/ct-1" });
    handles.set("ct-1", h);
    host.cgroups.set("/isolab/ct-1", idleCgroup([200]));
    sampler.tick();
    h.resolveExec({ exitCode: 0, output: info(HOST_TOTAL / 1024, 6000 * 1024, 2) });
    await flush();
    clock.advance(1000);
    const s = sampler.tick().instances["ct-1"];
    expect(s.guestProcesses).toBe(2);
    expect(s.overheadBytes).toBeUndefined();
  });

  it("counts a failed read and keeps sampling the host view", async () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push(instance("vm-1", "vm"));
    const h = handle(100);
    handles.set("vm-1", h);
    host.procs.set(100, { ticks: 0, threads: 4, start: 1, pss: MiB, rss: MiB });
    sampler.tick();
    h.resolveExec({ exitCode: 1, output: "agent not ready" });
    await flush();
    clock.advance(1000);
    expect(sampler.tick().instances["vm-1"].guestMemoryBytes).toBeUndefined();
    expect(sampler.stats().guestErrors).toBe(1);
    expect(sampler.guestError("vm-1")).toMatch(/exited with 1/);
  });
});

describe("Sampler and experiment instances", () => {
  it("samples an experiment's instance from the host but never runs a probe command in it", () => {
    const { clock, host, instances, handles, sampler } = setup();
    instances.push({ ...instance("vm-x", "vm"), experimentId: "x1" });
    const h = handle(100);
    handles.set("vm-x", h);
    host.procs.set(100, { ticks: 0, threads: 4, start: 1, pss: 150 * MiB, rss: 160 * MiB });
    for (let i = 0; i < 12; i++) {
      sampler.tick();
      clock.advance(1000);
    }
    expect(h.execs).toBe(0);
    expect(sampler.tick().instances["vm-x"]).toMatchObject({ memoryHostBytes: 150 * MiB });
  });
});

describe("Sampler guest-read budget", () => {
  it("starts at most the budgeted reads per tick and stretches each instance's period to fit", async () => {
    const { clock, host, instances, handles, sampler } = setup();
    const hs = ["p-1", "p-2", "p-3"].map((id, i) => {
      instances.push(instance(id, "process"));
      const h = handle(400 + i);
      handles.set(id, h);
      host.procs.set(400 + i, { ticks: 0, threads: 1, start: 1, pss: MiB, rss: MiB });
      return h;
    });
    const reads: number[][] = [];
    for (let i = 0; i < 9; i++) {
      sampler.tick();
      for (const h of hs) h.resolveExec({ exitCode: 1, output: "" }); // settle whatever started
      await flush();
      reads.push(hs.map((h) => h.execs));
      clock.advance(1000);
    }
    // One read per tick at the default budget of 1/s, round robin; 3 instances → each every 5 s (the minimum), not sooner.
    for (let i = 1; i < reads.length; i++) expect(reads[i].reduce((a, b) => a + b) - reads[i - 1].reduce((a, b) => a + b)).toBeLessThanOrEqual(1);
    expect(reads[0]).toEqual([1, 0, 0]);
    expect(reads[2]).toEqual([1, 1, 1]);
    expect(reads[5]).toEqual([2, 1, 1]);
    expect(sampler.stats().guestIntervalMs).toBe(5000);
  });
});

describe("Sampler guest period with many instances", () => {
  it("stretches to one read per second overall: 12 instances → each every 12 s", () => {
    const { host, instances, handles, sampler } = setup();
    for (let i = 0; i < 12; i++) {
      instances.push(instance(`p-${i}`, "process"));
      handles.set(`p-${i}`, handle(500 + i));
      host.procs.set(500 + i, { ticks: 0, threads: 1, start: 1, pss: MiB, rss: MiB });
    }
    sampler.tick();
    expect(sampler.stats().guestIntervalMs).toBe(12_000);
  });
});

describe("Sampler lifecycle and cost", () => {
  it("survives a tick that throws when run by its scheduler", () => {
    const { scheduler, sampler } = setup();
    const failing = Object.assign(sampler, {
      tick: () => {
        throw new Error("listener broke");
      },
    });
    const err = console.error;
    console.error = () => {};
    try {
      expect(() => failing.start()).not.toThrow();
      expect(() => scheduler.fn!()).not.toThrow();
    } finally {
      console.error = err;
    }
  });

  it("ticks on its scheduler, stops, and measures its own CPU per tick", () => {
    const { scheduler, sampler, ticks } = setup();
    sampler.start();
    sampler.start(); // idempotent
    expect(ticks).toHaveLength(1);
    scheduler.fn!();
    expect(ticks).toHaveLength(2);
    const stats = sampler.stats();
    expect(stats.ticks).toBe(2);
    expect(stats.lastTickCpuMs).toBeCloseTo(0.1); // one fake cpuUsage step between the two reads
    expect(stats.cpuSecondsTotal).toBeCloseTo(0.0002);
    expect(stats.cpuPercentOfCore).toBeGreaterThan(0);
    sampler.stop();
    expect(scheduler.cancelled).toBe(true);
    expect(sampler.running).toBe(false);
  });
});
