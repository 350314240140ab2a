import "server-only";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";

/** Time as the runners see it; tests pass a fake that advances without sleeping. */
export interface Clock {
  /** Monotonic milliseconds, for durations. */
  now(): number;
  /** Wall-clock ISO time, for records. */
  wallTime(): string;
  /** Resolves after ms; rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => new Date().toISOString(),
  sleep: (ms, signal) =>
    delay(ms, undefined, { signal }).catch((err) => {
      throw signal?.aborted ? signal.reason : err;
    }),
};

/** Rejects as soon as the signal aborts; the promise itself runs on and is awaited by cleanup. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
