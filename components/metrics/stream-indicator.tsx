"use client";
import { useLiveStream } from "@/client/use-live-stream";
import { useStreamStatus } from "@/client/stream-status";

const TEXT = { connecting: "connecting…", live: "live", reconnecting: "reconnecting…" } as const;
const ICON = { connecting: "○", live: "●", reconnecting: "◌" } as const;

/** Opens the tab's one live stream and says, in words, whether updates are arriving. */
export function StreamIndicator() {
  useLiveStream();
  const status = useStreamStatus();
  return (
    <span className={`stream stream-${status}`} role="status" aria-live="polite" data-testid="stream-status" data-status={status}>
      <span aria-hidden="true">{ICON[status]}</span> Updates: {TEXT[status]}
    </span>
  );
}
