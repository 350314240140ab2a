import "server-only";

// Time and CPU accounting are injected so the sampler's tests run with fake
// time and no sleeps (STYLE.md §7).

export interface Clock {
  /** Wall time, epoch ms: the timestamp samples carry. */
  now(): number;
  /** Monotonic ms: what rates and intervals are computed from. */
  monotonicMs(): number;
}

export interface Scheduler {
  /** Calls fn every ms until the returned cancel is called; never keeps the process alive. */
  every(ms: number, fn: () => void): () => void;
}

/** CPU time this process used so far, µs (process.cpuUsage). */
export type CpuUsageFn = () => { user: number; system: number };

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicMs: () => performance.now(),
};

export const systemScheduler: Scheduler = {
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

export const processCpuUsage: CpuUsageFn = () => process.cpuUsage();
