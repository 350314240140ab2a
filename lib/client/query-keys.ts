// Every react-query key in one place, so invalidation never misses a spelling.
export const queryKeys = {
  host: ["host"] as const,
  instances: ["instances"] as const,
  instance: (id: string) => ["instances", id] as const,
  instanceLog: (id: string) => ["instances", id, "log"] as const,
};

/** How often lists refresh when no live stream is connected, in milliseconds. */
export const LIST_REFRESH_MS = 2000;
/** Host facts change rarely (memory does); in milliseconds. */
export const HOST_REFRESH_MS = 10_000;
