import { median } from "@/lib/core/stats";

// "Room for N more": how many more instances of one footprint fit into the
// free memory of a host. Pure; every degenerate input answers with a reason
// instead of a number that was never measured.

/** A limit other than memory on more instances (a density run's first one): how many in all it allows. */
export interface RoomLimit {
  id: string;
  label: string;
  /** Instances of the kind the limit allows in all, as the run read it. */
  count: number;
  /** The limit itself and what one instance takes of it, as the run read them (Isolab's memory cap: MiB granted). */
  limit?: number;
  perInstance?: number | null;
}

/** What Isolab's own caps count now, as the supervisor does: every live instance (creating, running, stopping) of every kind, and the memory granted them. */
export interface CapUsage {
  instances: number;
  memoryMiB: number;
}

const LIVE_STATES: ReadonlySet<string> = new Set(["creating", "running", "stopping"]);

export function capUsage(instances: readonly { state: string; memoryMiB: number }[]): CapUsage {
  const live = instances.filter((i) => LIVE_STATES.has(i.state));
  return { instances: live.length, memoryMiB: live.reduce((a, i) => a + i.memoryMiB, 0) };
}

/** What already takes from a limit: the live instances of the host's own kind, and what Isolab's caps count. */
export interface Taken {
  mine: number;
  caps: CapUsage;
}

type LimitedBy = RoomLimit & { taken: string };

export type Room = { count: number; freeBytes: number; perInstanceBytes: number; limitedBy?: LimitedBy } | { count: null; reason: string };

const ok = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

export function roomForMore(freeBytes: number | null | undefined, perInstanceBytes: number | null | undefined): Room {
  if (!ok(freeBytes) || freeBytes < 0) return { count: null, reason: "free memory not measured" };
  if (!ok(perInstanceBytes)) return { count: null, reason: "no per-instance footprint measured yet" };
  if (perInstanceBytes <= 0) return { count: null, reason: "the measured footprint is zero, which cannot be divided into" };
  // A hair of tolerance so 3 × 1/3 of the free space counts as 3, not 2.
  return { count: Math.max(0, Math.floor(freeBytes / perInstanceBytes + 1e-9)), freeBytes, perInstanceBytes };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/**
 * How many more a limit allows now, and what took the rest. Isolab's caps
 * are shared: every live instance counts against the instance cap, whatever
 * its kind, and its granted memory against the memory cap (at the run's
 * memory per instance). A kernel limit's count is in instances of this kind
 * (what one took in the run), so this kind's live ones are taken from it.
 */
export function limitLeft(limit: RoomLimit, { mine, caps }: Taken): { left: number; taken: string } {
  const everyKind = { left: limit.count - caps.instances, taken: `${plural(caps.instances, "live instance")} of every kind` };
  if (limit.id === "isolab-instances") return everyKind;
  if (limit.id === "isolab-memory") {
    const per = limit.perInstance;
    if (!ok(limit.limit) || !ok(per) || per <= 0) return everyKind;
    return {
      left: Math.floor(Math.max(0, limit.limit - caps.memoryMiB) / per + 1e-9),
      taken: `${caps.memoryMiB.toLocaleString("en-US")} MiB granted to live instances`,
    };
  }
  return { left: limit.count - mine, taken: `${mine.toLocaleString("en-US")} live of this kind` };
}

/** The memory room, capped by a limit other than memory when that allows fewer than memory does. */
export function roomWithin(room: Room, limit: RoomLimit | null | undefined, taken: Taken): Room {
  if (room.count === null || !limit) return room;
  const { left, taken: words } = limitLeft(limit, taken);
  const n = Math.max(0, left);
  return n < room.count ? { ...room, count: n, limitedBy: { ...limit, taken: words } } : room;
}

/** Which limit comes first, in words: "first limit: …" when another limit caps the memory room. */
export function firstLimitWords(room: Room, limit: RoomLimit | null | undefined): string {
  if (room.count === null) return "";
  if (room.limitedBy)
    return `first limit: ${room.limitedBy.label} (${room.limitedBy.count.toLocaleString("en-US")} in all, ${room.limitedBy.taken}), before memory`;
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
