import { median } from "@/lib/core/stats";

// "Room for N more": how many more instances of one footprint fit into the
// free memory of a host. Pure; every degenerate input answers with a reason
// instead of a number that was never measured.

export type Room =
  | { count: number; freeBytes: number; perInstanceBytes: number }
  | { count: null; reason: string };

const ok = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

export function roomForMore(freeBytes: number | null | undefined, perInstanceBytes: number | null | undefined): Room {
  if (!ok(freeBytes) || freeBytes < 0) return { count: null, reason: "free memory not measured" };
  if (!ok(perInstanceBytes)) return { count: null, reason: "no per-instance footprint measured yet" };
  if (perInstanceBytes <= 0) return { count: null, reason: "the measured footprint is zero, which cannot be divided into" };
  // A hair of tolerance so 3 × 1/3 of the free space counts as 3, not 2.
  return { count: Math.max(0, Math.floor(freeBytes / perInstanceBytes + 1e-9)), freeBytes, perInstanceBytes };
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
