"use client";
import { useState } from "react";
import { recordingUrl, useTerminalRecordings } from "@/client/use-terminal-recordings";
import { formatBytes } from "@/lib/core/format";
import { ReplayPlayer } from "./replay-player";

/** The instance's recorded sessions: download (asciicast v2, plays in asciinema too) or replay here. */
export function RecordingsList({ instanceId }: { instanceId: string }) {
  const { data, error } = useTerminalRecordings(instanceId);
  const [playing, setPlaying] = useState<string | null>(null);
  if (error)
    return (
      <p className="error small" role="alert">
        Recordings unavailable: {error.message}
      </p>
    );
  if (!data?.length)
    return <p className="muted small">No recorded sessions yet. Each session is recorded as it happens (output and resizes, not keystrokes).</p>;
  return (
    <div className="stack">
      <table className="small" aria-label="Recorded terminal sessions">
        <thead>
          <tr>
            <th>Session</th>
            <th>Started</th>
            <th>Size</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data.map((r) => (
            <tr key={r.sessionId}>
              <td className="mono">{r.sessionId}</td>
              <td>{new Date(r.startedAt).toLocaleTimeString()}</td>
              <td>
                {formatBytes(r.bytes)}
                {r.complete ? "" : " (open)"}
              </td>
              <td className="row">
                <a href={recordingUrl(instanceId, r.sessionId, true)} download>
                  Download
                </a>
                <button type="button" onClick={() => setPlaying(r.sessionId)}>
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {playing && <ReplayPlayer key={playing} url={recordingUrl(instanceId, playing)} onClose={() => setPlaying(null)} />}
    </div>
  );
}
