import type { ProbeInfo } from "@/lib/metrics/guest-view";
import type { GuestFacts } from "@/lib/schemas/figures";
import { pickProcessNames } from "./fig23";

// `probe info` → the facts the figures draw. Pure: the caller passes the wall
// clock read before and after the exec, so the boot time it implies carries
// an honest error bar (half the round trip, plus /proc/uptime's 10 ms).

export const UPTIME_RESOLUTION_MS = 10;

export function toGuestFacts(info: ProbeInfo, sentAtMs: number, answeredAtMs: number, source: string): GuestFacts {
  const mid = (sentAtMs + answeredAtMs) / 2;
  return {
    kernelRelease: info.kernelRelease,
    kernelVersion: info.kernelVersion,
    hostname: info.hostname,
    processCount: info.processCount,
    processNames: pickProcessNames(info.processes, 4),
    memTotalBytes: info.memTotalKiB * 1024,
    memUsedBytes: Math.max(0, info.memTotalKiB - info.memAvailableKiB) * 1024,
    bootedAtMs: mid - info.uptimeSeconds * 1000,
    bootedAtErrorMs: Math.max(0, answeredAtMs - sentAtMs) / 2 + UPTIME_RESOLUTION_MS,
    ...(info.selfPssBytes !== undefined ? { appPssBytes: info.selfPssBytes } : {}),
    ...(info.selfRssBytes !== undefined ? { appRssBytes: info.selfRssBytes } : {}),
    source,
    at: new Date(answeredAtMs).toISOString(),
  };
}
