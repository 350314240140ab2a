import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { App } from "@/server/app/create-app";
import { NotFoundError } from "@/server/errors";
import { TerminalSessionIdSchema, type TerminalRecording } from "@/lib/schemas/terminal";

// The asciicast v2 recordings of an instance's terminal sessions
// (<state>/instances/<id>/terminal/<session>.cast), listed and read for the
// API. They go when the instance is removed, with its directory.

export function listRecordings(app: Pick<App, "supervisor" | "terminals">, instanceId: string): TerminalRecording[] {
  app.supervisor.get(instanceId); // 404 for an unknown instance
  const dir = app.terminals.recordingsDir(instanceId);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cast"))
    .map((f) => {
      const sessionId = f.slice(0, -".cast".length);
      const st = fs.statSync(path.join(dir, f));
      return { sessionId, bytes: st.size, startedAt: st.birthtime.toISOString(), complete: !app.terminals.isLive(sessionId) };
    })
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The recording's text; its size is bounded when written (server/terminal/recording.ts). */
export function readRecording(app: Pick<App, "supervisor" | "terminals">, instanceId: string, sessionId: string): string {
  app.supervisor.get(instanceId);
  const id = TerminalSessionIdSchema.parse(sessionId);
  const file = path.join(app.terminals.recordingsDir(instanceId), `${id}.cast`);
  if (!fs.existsSync(file)) throw new NotFoundError(`Instance ${instanceId} has no terminal recording "${id}".`, { instanceId, sessionId: id });
  return fs.readFileSync(file, "utf8");
}
