import "server-only";
import { hostCpuPercent, instanceCpuPercent } from "@/lib/metrics/cpu";
import { guestViewFromInfo, memoryOverhead, ProbeInfoSchema, type GuestView } from "@/lib/metrics/guest-view";
import { parseLastJson } from "@/lib/probe/output";
import { procCpuNs, type ProcStatCpu } from "@/lib/host/procfs";
import { RingBuffer } from "@/lib/metrics/ring-buffer";
import type { HostSample, InstanceSample, SampleTick, SamplerStats } from "@/lib/metrics/samples";
import type { Instance } from "@/lib/core/types";
import type { RunningHandle } from "@/server/engine/contract";
import type { Clock, CpuUsageFn, Scheduler } from "./clock";
import type { HostReaders } from "./readers";

/** What the sampler needs of the supervisor. */
export interface SampleSource {
  list(): Instance[];
  handle(id: string): RunningHandle | undefined;
}

export interface SamplerDeps {
  source: SampleSource;
  readers: HostReaders;
  clock: Clock;
  scheduler: Scheduler;
  cpuUsage: CpuUsageFn;
  /** Called once per tick with every instance sampled in it. */
  emit(tick: SampleTick): void;
  /** Host view period, ms (default 1000). */
  intervalMs?: number;
  /** Shortest guest view period per instance, ms (default 5000); reads of one instance never overlap. */
  guestIntervalMs?: number;
  /**
   * Guest reads started per second across all instances (default 1). Each
   * read of a container is a `runc exec`, ~20 ms of CPU in child processes,
   * so with many instances each one's guest view is read less often than
   * guestIntervalMs rather than the host paying more.
   */
  guestReadsPerSecond?: number;
  guestTimeoutMs?: number;
  /** Samples kept per instance (default 960: 16 min at 1 s). */
  capacity?: number;
}

interface Series {
  ring: RingBuffer<InstanceSample>;
  prev?: { cpuNs: number; mono: number };
  /** pid + start time identify the process; a recycled pid is not the instance. */
  startTimeTicks?: number;
  guest?: GuestView;
  guestInFlight: boolean;
  nextGuestAt: number;
  guestError?: string;
}

/** How many recent ticks the sampler's own CPU % is averaged over. */
const COST_WINDOW_TICKS = 60;

/**
 * Samples every running instance's host view each interval and, more
 * slowly, its guest view through the probe. Keeps a ring buffer per instance
 * and measures its own CPU cost.
 */
export class Sampler {
  readonly intervalMs: number;
  readonly guestIntervalMs: number;
  private readonly guestReadsPerSecond: number;
  /** The guest view period in effect: guestIntervalMs, or longer when many instances share the budget. */
  private guestPeriodMs: number;
  private readonly capacity: number;
  private readonly series = new Map<string, Series>();
  private readonly host: RingBuffer<HostSample>;
  private readonly cost: RingBuffer<{ mono: number; cpuMs: number }>;
  private prevHostCpu?: ProcStatCpu;
  private cancel?: () => void;
  private ticks = 0;
  private instancesSampled = 0;
  private lastTickCpuMs = 0;
  private lastTickWallMs = 0;
  private cpuMsTotal = 0;
  /** Guest-view bookkeeping CPU since the last tick, counted into the next tick's cost. */
  private pendingGuestCpuMs = 0;
  private guestReads = 0;
  private guestErrors = 0;

  constructor(private readonly deps: SamplerDeps) {
    this.intervalMs = deps.intervalMs ?? 1000;
    this.guestIntervalMs = deps.guestIntervalMs ?? 5000;
    this.guestReadsPerSecond = deps.guestReadsPerSecond ?? 1;
    this.guestPeriodMs = this.guestIntervalMs;
    this.capacity = deps.capacity ?? 960;
    this.host = new RingBuffer(this.capacity);
    this.cost = new RingBuffer(COST_WINDOW_TICKS);
  }

  get running(): boolean {
    return this.cancel !== undefined;
  }

  start(): void {
    if (this.cancel) return;
    this.cancel = this.deps.scheduler.every(this.intervalMs, () => this.safeTick());
    this.safeTick();
  }

  /** A failing tick (a throwing listener, an unreadable host file) must not take the server down. */
  private safeTick(): void {
    try {
      this.tick();
    } catch (err) {
      console.error("[isolab] sampler tick failed:", err);
    }
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** One host-view pass (synchronous); starts due guest-view reads. */
  tick(): SampleTick {
    const { clock, cpuUsage } = this.deps;
    const cpu0 = cpuUsage();
    const mono0 = clock.monotonicMs();
    const t = clock.now();
    const instances = this.deps.source.list();
    const host = this.sampleHost(t);
    const sampled: Record<string, InstanceSample> = {};
    const running = instances.filter((i) => i.state === "running");
    // Guest reads due this tick, in list order, within the budget.
    const guestPeriodMs = Math.max(this.guestIntervalMs, (running.length * 1000) / this.guestReadsPerSecond);
    let guestBudget = Math.max(1, Math.round((this.guestReadsPerSecond * this.intervalMs) / 1000));
    this.guestPeriodMs = guestPeriodMs;

    for (const inst of running) {
      const handle = this.handleOf(inst.id);
      if (!handle) continue;
      const s = this.seriesOf(inst.id);
      const sample = this.sampleInstance(inst, handle, s, t, mono0, host?.memTotalBytes);
      if (!sample) continue; // gone between list() and the read: the supervisor will say how it ended
      s.ring.push(sample);
      sampled[inst.id] = sample;
      // An experiment's instances are measured by the experiment itself; a
      // probe exec from here would land in its idle-cost and workload windows.
      if (inst.experimentId) continue;
      if (guestBudget > 0 && !s.guestInFlight && mono0 >= s.nextGuestAt) {
        guestBudget--;
        this.readGuest(inst.id, handle, s, guestPeriodMs);
      }
    }
    // Forget deleted instances; keep the history of stopped ones for download.
    const known = new Set(instances.map((i) => i.id));
    for (const id of this.series.keys()) if (!known.has(id)) this.series.delete(id);

    const tickEvent: SampleTick = { t, host, sampler: this.stats(), instances: sampled };
    this.deps.emit(tickEvent);

    const cpu1 = cpuUsage();
    const cpuMs = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 + this.pendingGuestCpuMs;
    this.pendingGuestCpuMs = 0;
    this.ticks++;
    this.instancesSampled = Object.keys(sampled).length;
    this.lastTickCpuMs = cpuMs;
    this.lastTickWallMs = clock.monotonicMs() - mono0;
    this.cpuMsTotal += cpuMs;
    this.cost.push({ mono: mono0, cpuMs });
    return tickEvent;
  }

  samples(id: string, windowS: number): InstanceSample[] {
    const s = this.series.get(id);
    return s ? this.lastSeconds(s.ring, windowS) : [];
  }

  hostSamples(windowS: number): HostSample[] {
    return this.lastSeconds(this.host, windowS);
  }

  latest(): Record<string, InstanceSample> {
    const out: Record<string, InstanceSample> = {};
    for (const [id, s] of this.series) {
      const last = s.ring.last();
      if (last) out[id] = last;
    }
    return out;
  }

  guestError(id: string): string | undefined {
    return this.series.get(id)?.guestError;
  }

  stats(): SamplerStats {
    const recent = this.cost.toArray();
    const spanMs = recent.length > 1 ? recent.at(-1)!.mono - recent[0].mono + this.intervalMs : this.intervalMs;
    const recentCpuMs = recent.reduce((a, c) => a + c.cpuMs, 0);
    return {
      intervalMs: this.intervalMs,
      guestIntervalMs: this.guestPeriodMs,
      ticks: this.ticks,
      instancesSampled: this.instancesSampled,
      lastTickCpuMs: this.lastTickCpuMs,
      lastTickWallMs: this.lastTickWallMs,
      meanTickCpuMs: recent.length ? recentCpuMs / recent.length : 0,
      cpuPercentOfCore: recent.length ? (100 * recentCpuMs) / spanMs : 0,
      cpuSecondsTotal: this.cpuMsTotal / 1000,
      guestReads: this.guestReads,
      guestErrors: this.guestErrors,
    };
  }

  private lastSeconds<T extends { t: number }>(ring: RingBuffer<T>, windowS: number): T[] {
    const newest = ring.last();
    if (!newest) return [];
    const from = newest.t - windowS * 1000;
    return ring.takeLastWhile((x) => x.t > from);
  }

  private seriesOf(id: string): Series {
    let s = this.series.get(id);
    if (!s) {
      s = { ring: new RingBuffer(this.capacity), guestInFlight: false, nextGuestAt: -Infinity };
      this.series.set(id, s);
    }
    return s;
  }

  private handleOf(id: string): RunningHandle | undefined {
    try {
      return this.deps.source.handle(id);
    } catch {
      return undefined; // removed since list()
    }
  }

  private sampleHost(t: number): HostSample | null {
    try {
      const mem = this.deps.readers.meminfo();
      const cpu = this.deps.readers.hostCpu();
      const sample: HostSample = {
        t,
        cpuPercent: this.prevHostCpu ? hostCpuPercent(this.prevHostCpu, cpu) : null,
        memTotalBytes: mem.MemTotal,
        memAvailableBytes: mem.MemAvailable,
      };
      this.prevHostCpu = cpu;
      this.host.push(sample);
      return sample;
    } catch {
      return null;
    }
  }

  private sampleInstance(
    inst: Instance,
    handle: RunningHandle,
    s: Series,
    t: number,
    mono: number,
    hostMemTotal: number | undefined,
  ): InstanceSample | null {
    const { readers } = this.deps;
    let base: Omit<InstanceSample, "t" | "cpuPercent">;
    let cpuNs: number;
    try {
      if (inst.kind === "container" && handle.cgroupPath) {
        const cg = readers.cgroup(handle.cgroupPath);
        if (cg.procs.length === 0) return null; // the init died: an empty cgroup is not an idle container
        cpuNs = cg.cpuNs;
        base = {
          cpuSeconds: cpuNs / 1e9,
          memoryHostBytes: cg.memoryBytes,
          rssBytes: cg.rssBytes,
          cacheBytes: cg.cacheBytes,
          hostThreads: cg.tasks.length,
          hostProcesses: cg.procs.length,
          oomKills: cg.oomKills,
        };
      } else {
        const stat = readers.procStat(handle.pid);
        if (stat.state === "Z" || stat.state === "X") return null;
        if (s.startTimeTicks !== undefined && s.startTimeTicks !== stat.startTicks) return null; // recycled pid
        s.startTimeTicks = stat.startTicks;
        const mem = readers.smapsRollup(handle.pid);
        cpuNs = procCpuNs(stat);
        base = {
          cpuSeconds: cpuNs / 1e9,
          memoryHostBytes: mem.pssBytes,
          rssBytes: mem.rssBytes,
          pssBytes: mem.pssBytes,
          hostThreads: stat.numThreads,
          hostProcesses: 1,
        };
      }
    } catch {
      return null;
    }
    const cpu = instanceCpuPercent(s.prev, cpuNs, mono);
    s.prev = { cpuNs, mono };
    const g = s.guest;
    return {
      t,
      cpuPercent: cpu,
      ...base,
      ...(g && {
        guestMemoryBytes: g.memUsedBytes,
        guestMemTotalBytes: g.memTotalBytes,
        guestProcesses: g.processCount,
        guestAt: g.at,
        overheadBytes: hostMemTotal === undefined ? undefined : memoryOverhead(base.memoryHostBytes, g, hostMemTotal),
      }),
    };
  }

  /**
   * One `probe info` inside the instance. Starting it (the spawn) falls inside
   * the tick's measured span; parsing the answer is measured here and added
   * to the next tick's cost.
   */
  private readGuest(id: string, handle: RunningHandle, s: Series, periodMs: number): void {
    const { clock, cpuUsage } = this.deps;
    const measure = <T>(fn: () => T): T => {
      const c0 = cpuUsage();
      try {
        return fn();
      } finally {
        const c1 = cpuUsage();
        this.pendingGuestCpuMs += (c1.user - c0.user + c1.system - c0.system) / 1000;
      }
    };
    s.guestInFlight = true;
    s.nextGuestAt = clock.monotonicMs() + periodMs;
    const done = () => (s.guestInFlight = false);
    let pending: Promise<{ exitCode: number; output: string }>;
    try {
      pending = handle.exec("info", [], { timeoutMs: this.deps.guestTimeoutMs ?? 4000 });
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending
      .then((r) =>
        measure(() => {
          if (r.exitCode !== 0) throw new Error(`probe info exited with ${r.exitCode}`);
          const info = ProbeInfoSchema.parse(parseLastJson(r.output));
          if (this.series.get(id) !== s) return; // deleted meanwhile
          s.guest = guestViewFromInfo(info, clock.now());
          s.guestError = undefined;
          this.guestReads++;
        }),
      )
      .catch((err: Error) => {
        s.guestError = err.message;
        this.guestErrors++;
      })
      .finally(done);
  }
}
