"use client";
import { useSyncExternalStore } from "react";

// The live stream's state, readable by hooks (to slow their polling while
// the stream delivers) and by the status indicator.

export type StreamStatus = "connecting" | "live" | "reconnecting";

let status: StreamStatus = "connecting";
const listeners = new Set<() => void>();

export function setStreamStatus(next: StreamStatus): void {
  if (next === status) return;
  status = next;
  for (const l of listeners) l();
}

export function getStreamStatus(): StreamStatus {
  return status;
}

function subscribe(fn: () => void) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function useStreamStatus(): StreamStatus {
  return useSyncExternalStore(subscribe, getStreamStatus, () => "connecting" as const);
}

/** A refetchInterval that polls at `offlineMs` only while the stream is not live. */
export function whenStreamDown(offlineMs: number, liveMs: number | false) {
  return (_query: unknown) => (getStreamStatus() === "live" ? liveMs : offlineMs);
}
