import { median } from "@/lib/core/stats";

// "Room for N more": how many more instances of one footprint fit into the
// free memory of a host. Pure; every degenerate input answers with a reason
// instead of a number that was never measured.

/** A limit other than memory on more instances (a density run's first one): how many in all it allows. */
export interface RoomLimit {
  id: string;
  label: string;
  /** Instances of the kind the limit allows beyond what ran when it was read. */
  count: number;
}

export type Room = { count: number; freeBytes: number; perInstanceBytes: number; limitedBy?: RoomLimit } | { count: null; reason: string };

const ok = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

export function roomForMore(freeBytes: number | null | undefined, perInstanceBytes: number | null | undefined): Room {
  if (!ok(freeBytes) || freeBytes < 0) return { count: null, reason: "free memory not measured" };
  if (!ok(perInstanceBytes)) return { count: null, reason: "no per-instance footprint measured yet" };
  if (perInstanceBytes <= 0) return { count: null, reason: "the measured footprint is zero, which cannot be divided into" };
  // A hair of tolerance so 3 × 1/3 of the free space counts as 3, not 2.
  return { count: Math.max(0, Math.floor(freeBytes / perInstanceBytes + 1e-9)), freeBytes, perInstanceBytes };
}

/**
 * The memory room, capped by a limit other than memory when that allows
 * fewer; `live` instances of the kind already take from the limit.
 */
export function roomWithin(room: Room, limit: RoomLimit | null | undefined, live: number): Room {
  if (room.count === null || !limit) return room;
  const left = Math.max(0, limit.count - Math.max(0, live));
  return left < room.count ? { ...room, count: left, limitedBy: limit } : room;
}

/** Which limit comes first, in words: "first limit: …" when another limit caps the memory room. */
export function firstLimitWords(room: Room, limit: RoomLimit | null | undefined): string {
  if (room.count === null) return "";
  if (room.limitedBy) return `first limit: ${room.limitedBy.label} (${room.limitedBy.count.toLocaleString("en-US")} in all), before memory`;
  return limit ? `first limit: memory (then ${limit.label} at ${limit.count.toLocaleString("en-US")})` : "first limit: memory";
}

export function roomText(room: Room, noun: string): string {
  if (room.count === null) return `room for ? more ${noun}s — ${room.reason}`;
  return `room for ${room.count} more ${noun}${room.count === 1 ? "" : "s"}`;
}

/**
 * The footprint of one more instance, from the live instances of a kind
 * when no density experiment measured marginal memory: the median host view
 * of the running ones. null when none has a usable reading.
 */
export function liveFootprint(hostBytes: readonly (number | null | undefined)[]): { bytes: number; n: number } | null {
  const xs = hostBytes.filter((b): b is number => ok(b) && b > 0);
  if (xs.length === 0) return null;
  return { bytes: median(xs), n: xs.length };
}
