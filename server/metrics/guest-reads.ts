import "server-only";
import { guestViewFromInfo, ProbeInfoSchema } from "@/lib/metrics/guest-view";
import { parseLastJson } from "@/lib/probe/output";
import type { RunningHandle } from "@/server/engine/contract";
import type { Clock, CpuUsageFn } from "./clock";
import type { Series } from "./sample-history";

// The guest view: `probe info` inside each instance, read more slowly than
// the host view and within a budget of reads per second across all
// instances, so many instances stretch each one's period instead of making
// the host pay more. Reads of one instance never overlap.

export interface GuestReadOptions {
  /** Shortest period per instance, ms. */
  intervalMs: number;
  /** Reads started per second across all instances. */
  readsPerSecond: number;
  timeoutMs: number;
  /** The host view's period, ms: how many reads one tick may start. */
  tickMs: number;
}

export class GuestReads {
  /** The period in effect: intervalMs, or longer when many instances share the budget. */
  periodMs: number;
  reads = 0;
  errors = 0;
  /** Bookkeeping CPU since the last tick, counted into the next tick's cost. */
  pendingCpuMs = 0;
  private budget = 0;

  constructor(
    private readonly o: GuestReadOptions,
    private readonly clock: Clock,
    private readonly cpuUsage: CpuUsageFn,
  ) {
    this.periodMs = o.intervalMs;
  }

  /** Called at the start of a tick with the number of running instances. */
  beginTick(running: number): void {
    this.periodMs = Math.max(this.o.intervalMs, (running * 1000) / this.o.readsPerSecond);
    this.budget = Math.max(1, Math.round((this.o.readsPerSecond * this.o.tickMs) / 1000));
  }

  /** Starts a read of this instance if it is due and the tick's budget allows. */
  maybeRead(handle: RunningHandle, s: Series, mono: number, stillCurrent: () => boolean): void {
    if (this.budget <= 0 || s.guestInFlight || mono < s.nextGuestAt) return;
    this.budget--;
    this.read(handle, s, stillCurrent);
  }

  /** CPU spent on guest bookkeeping since the last call. */
  takePendingCpuMs(): number {
    const ms = this.pendingCpuMs;
    this.pendingCpuMs = 0;
    return ms;
  }

  /**
   * One `probe info` inside the instance. Starting it (the spawn) falls inside
   * the tick's measured span; parsing the answer is measured here and added
   * to the next tick's cost.
   */
  private read(handle: RunningHandle, s: Series, stillCurrent: () => boolean): void {
    const { clock, cpuUsage } = this;
    const measure = <T>(fn: () => T): T => {
      const c0 = cpuUsage();
      try {
        return fn();
      } finally {
        const c1 = cpuUsage();
        this.pendingCpuMs += (c1.user - c0.user + c1.system - c0.system) / 1000;
      }
    };
    s.guestInFlight = true;
    s.nextGuestAt = clock.monotonicMs() + this.periodMs;
    let pending: Promise<{ exitCode: number; output: string }>;
    try {
      pending = handle.exec("info", [], { timeoutMs: this.o.timeoutMs });
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending
      .then((r) =>
        measure(() => {
          if (r.exitCode !== 0) throw new Error(`probe info exited with ${r.exitCode}`);
          const info = ProbeInfoSchema.parse(parseLastJson(r.output));
          if (!stillCurrent()) return; // deleted meanwhile
          s.guest = guestViewFromInfo(info, clock.now());
          s.guestError = undefined;
          this.reads++;
        }),
      )
      .catch((err: Error) => {
        s.guestError = err.message;
        this.errors++;
      })
      .finally(() => (s.guestInFlight = false));
  }
}
