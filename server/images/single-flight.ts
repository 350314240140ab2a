import "server-only";

// One run per key at a time: a caller that asks while a run for its key is
// under way shares that run's result (an unpack, an initramfs, the probe pack).

export type SingleFlight = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

export function singleFlight(): SingleFlight {
  const pending = new Map<string, Promise<unknown>>();
  return function once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = pending.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = fn().finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  };
}
