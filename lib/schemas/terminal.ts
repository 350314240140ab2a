import { z } from "zod";

// The terminal WebSocket's text frames (binary frames are the tty's bytes,
// both ways; lib/terminal/protocol.ts). Parsed on the server, built by the page.

/** Browser → server. Sizes are any integers here; lib/terminal/protocol.ts refuses and clamps them. */
export const TerminalControlSchema = z.discriminatedUnion("type", [z.object({ type: z.literal("resize"), rows: z.number().int(), cols: z.number().int() })]);
export type TerminalControl = z.infer<typeof TerminalControlSchema>;

/** Server → browser. */
export const TerminalNoticeSchema = z.discriminatedUnion("type", [
  /** The shell is there: its session id (for the recording) and the size it got. */
  z.object({ type: z.literal("opened"), sessionId: z.string(), kind: z.enum(["container", "vm"]), rows: z.number(), cols: z.number() }),
  /** Something the user should read that does not end the session (a refused frame). */
  z.object({ type: z.literal("notice"), message: z.string() }),
  /** The session is over (or never opened), and why; the socket closes next. */
  z.object({ type: z.literal("ended"), message: z.string(), sessionId: z.string().optional() }),
]);
export type TerminalNotice = z.infer<typeof TerminalNoticeSchema>;

/** A recorded session, as GET /api/instances/:id/terminal/recordings lists them. */
export const TerminalRecordingSchema = z.object({
  sessionId: z.string(),
  bytes: z.number(),
  startedAt: z.string(),
  /** false while the session is still open. */
  complete: z.boolean(),
});
export type TerminalRecording = z.infer<typeof TerminalRecordingSchema>;

export const TerminalSessionIdSchema = z.string().regex(/^[a-z0-9-]{1,64}$/, "not a terminal session id");
