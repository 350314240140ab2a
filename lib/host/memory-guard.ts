// The guards that keep the isolation and density experiments from taking the
// host down. Pure, so every refusal's arithmetic and wording is table-tested.
//
// The rule: an experiment never leaves the host with less available memory
// (MemAvailable) than a reserve of 20 % of its memory or 2 GiB, whichever is
// larger; it checks before every step, and the one instance allowed to run
// without a memory limit (the unlimited hog) is bounded by a hard cap.

export const MIB = 2 ** 20;
export const GIB = 2 ** 30;

export const RESERVE_FRACTION = 0.2;
export const RESERVE_MIN_BYTES = 2 * GIB;
/** The unlimited hog never asks for more than this, whatever the plan says. */
export const UNLIMITED_HOG_HARD_CAP_MIB = 4096;
/** Below this an unlimited hog would show nothing on a host chart: refuse instead. */
export const UNLIMITED_HOG_MIN_MIB = 64;
/** Kept free on top of the reserve when sizing the unlimited hog: others on the host allocate too. */
export const UNLIMITED_HOG_MARGIN_MIB = 256;
/** What the hog's cgroup may hold beyond its cap (its init, /tmp, page tables) before the watchdog acts. */
export const WATCHDOG_SLACK_BYTES = 64 * MIB;

export interface HostMemory {
  totalBytes: number;
  /** MemAvailable: what can be allocated without swapping or OOM. */
  availableBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

const gib = (b: number) => `${(b / GIB).toFixed(1)} GiB`;
const mib = (b: number) => `${Math.round(b / MIB)} MiB`;

/** max(20 % of the host's memory, 2 GiB). */
export function hostReserveBytes(totalBytes: number): number {
  if (!(totalBytes > 0)) return RESERVE_MIN_BYTES;
  return Math.max(Math.round(totalBytes * RESERVE_FRACTION), RESERVE_MIN_BYTES);
}

export function describeReserve(totalBytes: number): string {
  return `${gib(hostReserveBytes(totalBytes))} (the larger of 20 % of ${gib(totalBytes)} and 2 GiB)`;
}

/**
 * null when taking `needBytes` more still leaves the reserve free; otherwise
 * a sentence naming what was refused and the numbers behind it.
 */
export function reserveRefusal(host: HostMemory, needBytes: number, what: string): string | null {
  const reserve = hostReserveBytes(host.totalBytes);
  const need = Math.max(0, needBytes);
  if (!Number.isFinite(host.availableBytes) || !Number.isFinite(need)) return `Refused ${what}: host memory could not be read.`;
  if (host.availableBytes - need >= reserve) return null;
  const usable = Math.max(0, host.availableBytes - reserve);
  return `Refused ${what}: it needs about ${mib(need)}, the host has ${gib(host.availableBytes)} available and keeps ${describeReserve(host.totalBytes)} free, so only ${mib(usable)} may be used.`;
}

export type HogBound = "requested" | "hard cap" | "host reserve";

export type UnlimitedHogSize = { mib: number; bound: HogBound } | { refusal: string };

/**
 * How much the unlimited hog may allocate: what was asked, never above the
 * hard cap, and never so much that the host would drop into its reserve
 * (with a margin for everything else running). A refusal when that is too
 * little to show anything.
 */
export function unlimitedHogSize(host: HostMemory, requestedMiB: number, hardCapMiB = UNLIMITED_HOG_HARD_CAP_MIB): UnlimitedHogSize {
  const reserve = hostReserveBytes(host.totalBytes);
  const room = Math.floor((host.availableBytes - reserve) / MIB) - UNLIMITED_HOG_MARGIN_MIB;
  const options: { mib: number; bound: HogBound }[] = [
    { mib: Math.floor(requestedMiB), bound: "requested" },
    { mib: Math.floor(hardCapMiB), bound: "hard cap" },
    { mib: room, bound: "host reserve" },
  ];
  // NaN never compares smaller: an unreadable host must refuse, not fall through to the request.
  const pick = options.reduce((a, b) => (!Number.isFinite(b.mib) || b.mib < a.mib ? b : a));
  if (!Number.isFinite(pick.mib) || pick.mib < UNLIMITED_HOG_MIN_MIB) {
    return {
      refusal: `Refused the unlimited hog: only ${Math.max(0, Number.isFinite(room) ? room : 0)} MiB could be taken while keeping ${describeReserve(host.totalBytes)} and a ${UNLIMITED_HOG_MARGIN_MIB} MiB margin free (at least ${UNLIMITED_HOG_MIN_MIB} MiB is needed to show anything).`,
    };
  }
  return pick;
}

export interface WatchdogReading {
  /** The hog's cgroup usage now. */
  usageBytes: number;
  capBytes: number;
  availableBytes: number;
  totalBytes: number;
}

/** A reason to kill the unlimited hog now, or null while it stays within bounds. */
export function watchdogReason(r: WatchdogReading): string | null {
  if (r.usageBytes > r.capBytes + WATCHDOG_SLACK_BYTES) {
    return `Isolab's guard stopped the unlimited hog: its cgroup held ${mib(r.usageBytes)}, over its hard cap of ${mib(r.capBytes)}.`;
  }
  const reserve = hostReserveBytes(r.totalBytes);
  if (r.availableBytes < reserve) {
    return `Isolab's guard stopped the unlimited hog: the host's available memory fell to ${gib(r.availableBytes)}, below its reserve of ${gib(reserve)}.`;
  }
  return null;
}
