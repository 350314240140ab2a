import "server-only";
import type { HostSample, InstanceSample, SampleTick, SamplerStats } from "@/lib/metrics/samples";
import type { Instance } from "@/lib/core/types";
import type { RunningHandle } from "@/server/engine/contract";
import type { Clock, CpuUsageFn, Scheduler } from "./clock";
import { GuestReads } from "./guest-reads";
import { HostTotals, sampleInstance } from "./host-view";
import type { HostReaders } from "./readers";
import { SampleHistory } from "./sample-history";
import { SamplerCost } from "./sampler-cost";

// The sampler's schedule: each tick reads the host view (host-view.ts),
// starts the guest reads that are due (guest-reads.ts), keeps the samples
// (sample-history.ts) and measures what the tick cost (sampler-cost.ts).

/** What the sampler needs of the supervisor. */
export interface SampleSource {
  list(): Instance[];
  handle(id: string): RunningHandle | undefined;
}

export interface SamplerDeps {
  source: SampleSource;
  /** Host files; each handle reads its own usage through them (RunningHandle.hostUsage). */
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

/**
 * Samples every running instance's host view each interval and, more
 * slowly, its guest view through the probe. Keeps a ring buffer per instance
 * and measures its own CPU cost.
 */
export class Sampler {
  readonly intervalMs: number;
  readonly guestIntervalMs: number;
  private readonly history: SampleHistory;
  private readonly hostTotals: HostTotals;
  private readonly guest: GuestReads;
  private readonly cost = new SamplerCost();
  private cancel?: () => void;

  constructor(private readonly deps: SamplerDeps) {
    this.intervalMs = deps.intervalMs ?? 1000;
    this.guestIntervalMs = deps.guestIntervalMs ?? 5000;
    this.history = new SampleHistory(deps.capacity ?? 960);
    this.hostTotals = new HostTotals(deps.readers);
    this.guest = new GuestReads(
      {
        intervalMs: this.guestIntervalMs,
        readsPerSecond: deps.guestReadsPerSecond ?? 1,
        timeoutMs: deps.guestTimeoutMs ?? 4000,
        tickMs: this.intervalMs,
      },
      deps.clock,
      deps.cpuUsage,
    );
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
    const { clock, cpuUsage, readers } = this.deps;
    const cpu0 = cpuUsage();
    const mono0 = clock.monotonicMs();
    const t = clock.now();
    const instances = this.deps.source.list();
    const host = this.hostTotals.sample(t);
    if (host) this.history.host.push(host);
    const sampled: Record<string, InstanceSample> = {};
    const running = instances.filter((i) => i.state === "running");
    this.guest.beginTick(running.length);

    for (const inst of running) {
      const handle = this.handleOf(inst.id);
      if (!handle) continue;
      const s = this.history.of(inst.id);
      const sample = sampleInstance(handle, readers, s, { t, mono: mono0 }, host?.memTotalBytes);
      if (!sample) continue; // gone between list() and the read: the supervisor will say how it ended
      s.ring.push(sample);
      sampled[inst.id] = sample;
      // An experiment's instances are measured by the experiment itself; a
      // probe exec from here would land in its idle-cost and workload windows.
      if (inst.experimentId) continue;
      this.guest.maybeRead(handle, s, mono0, () => this.history.get(inst.id) === s);
    }
    // Forget deleted instances; keep the history of stopped ones for download.
    this.history.keepOnly(new Set(instances.map((i) => i.id)));

    const tickEvent: SampleTick = { t, host, sampler: this.stats(), instances: sampled };
    this.deps.emit(tickEvent);

    const cpu1 = cpuUsage();
    const cpuMs = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 + this.guest.takePendingCpuMs();
    this.cost.record({ mono: mono0, cpuMs, wallMs: clock.monotonicMs() - mono0, instancesSampled: Object.keys(sampled).length });
    return tickEvent;
  }

  samples(id: string, windowS: number): InstanceSample[] {
    return this.history.samples(id, windowS);
  }

  hostSamples(windowS: number): HostSample[] {
    return this.history.hostSamples(windowS);
  }

  latest(): Record<string, InstanceSample> {
    return this.history.latest();
  }

  guestError(id: string): string | undefined {
    return this.history.get(id)?.guestError;
  }

  stats(): SamplerStats {
    const c = this.cost;
    return {
      intervalMs: this.intervalMs,
      guestIntervalMs: this.guest.periodMs,
      ticks: c.ticks,
      instancesSampled: c.instancesSampled,
      lastTickCpuMs: c.lastTickCpuMs,
      lastTickWallMs: c.lastTickWallMs,
      ...c.averages(this.intervalMs),
      cpuSecondsTotal: c.cpuMsTotal / 1000,
      guestReads: this.guest.reads,
      guestErrors: this.guest.errors,
    };
  }

  private handleOf(id: string): RunningHandle | undefined {
    try {
      return this.deps.source.handle(id);
    } catch {
      return undefined; // removed since list()
    }
  }
}
