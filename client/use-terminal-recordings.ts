"use client";
import { useQuery } from "@tanstack/react-query";
import type { TerminalRecording } from "@/lib/schemas/terminal";
import { getJson } from "./api";
import { RECORDINGS_REFRESH_MS, queryKeys } from "./query-keys";

/** The instance's recorded terminal sessions, newest first. */
export function useTerminalRecordings(id: string) {
  return useQuery({
    queryKey: queryKeys.terminalRecordings(id),
    queryFn: () => getJson<{ recordings: TerminalRecording[] }>(`/api/instances/${encodeURIComponent(id)}/terminal/recordings`).then((r) => r.recordings),
    refetchInterval: RECORDINGS_REFRESH_MS,
  });
}

export function recordingUrl(id: string, sessionId: string, download = false): string {
  return `/api/instances/${encodeURIComponent(id)}/terminal/recordings/${encodeURIComponent(sessionId)}${download ? "?download=1" : ""}`;
}
