import "server-only";
import type { AuditEntryInput } from "@/lib/schemas/audit";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { EventEmitter } from "node:events";
import { CLOSE_CODES, MAX_INPUT_FRAME_BYTES, checkSize } from "@/lib/terminal/protocol";
import { TerminalControlSchema, type TerminalNotice } from "@/lib/schemas/terminal";
import type { Instance } from "@/lib/core/types";
import type { BusEvents } from "@/server/events";
import type { Supervisor } from "@/server/instances/supervisor";
import { isIsolabError } from "@/server/errors";
import type { TerminalChannel, TerminalSize } from "@/server/engine/contract";
import { Recording, recordingsDir } from "./recording";
import { WRITE_CHUNK_BYTES, refusalFor } from "./refusals";

// Terminal sessions: a browser's WebSocket (handed over by scripts/serve.mjs
// after the gate) joined to a shell in an instance (the engine's terminal
// capability). A session ends — with a message in the pane, its shell and
// runtime killed, its recording closed and an audit entry — when the socket
// closes, the shell exits, the instance stops, input stays idle too long or
// Isolab shuts down, whichever comes first.

/** What the service needs of a WebSocket (the `ws` package's, in scripts/terminal-upgrade.mjs). */
export interface TerminalSocket {
  send(data: string | Buffer): void;
  close(code?: number, reason?: string): void;
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  readonly bufferedAmount: number;
}

/** Who asked, as the sign-in sets it on the request (absent before it). */
export interface Principal {
  name: string;
  role: string;
  via?: string;
}

export interface AttachRequest {
  instanceId: string;
  size: TerminalSize;
  principal?: Principal;
  /** The peer's address. */
  from?: string;
}

export interface TerminalServiceOptions {
  supervisor: Pick<Supervisor, "get" | "handle">;
  bus: EventEmitter<BusEvents>;
  stateDir: string;
  /** The audit log, when the app has one (looked up at each session's end). */
  audit?: () => { record(entry: AuditEntryInput): unknown } | undefined;
  /** No input for this long ends a session. */
  idleTimeoutMs?: number;
  /** A browser that reads nothing while this much output waits is dropped. */
  maxBufferedBytes?: number;
  maxRecordingBytes?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;

export interface SessionInfo {
  sessionId: string;
  instanceId: string;
  startedAt: string;
  actor: string;
}

export function createTerminalService(o: TerminalServiceOptions) {
  const idleTimeoutMs = o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxBuffered = o.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  const live = new Map<string, { info: SessionInfo; end: (why: string) => Promise<void> }>();
  const perInstance = new Map<string, number>();
  let shuttingDown = false;

  const send = (socket: TerminalSocket, msg: TerminalNotice) => {
    try {
      socket.send(JSON.stringify(msg));
    } catch {
      // the socket is already gone
    }
  };

  /** One row per session beside the edge's row for the upgrade: this one says how the session ended. 101 ran, 409 refused. */
  function audit(req: AttachRequest, startedAt: number, result: 101 | 409, detail: string) {
    try {
      o.audit?.()?.record({
        at: startedAt,
        actor: req.principal?.name ?? "anonymous",
        role: req.principal?.role ?? null,
        action: "terminal.session",
        target: req.instanceId,
        from: req.from ?? "unknown",
        result,
        durationMs: Date.now() - startedAt,
        detail,
      });
    } catch (err) {
      console.error(`[isolab] audit of a terminal session failed: ${(err as Error).message}`);
    }
  }

  function refuse(socket: TerminalSocket, req: AttachRequest, code: number, message: string) {
    send(socket, { type: "ended", message });
    socket.close(code, "refused"); // the reason is bounded to 123 bytes; the message went in the frame above
    audit(req, Date.now(), 409, message);
  }

  /** Joins `socket` to a new shell in the instance, or tells it why not and closes it. Never throws. */
  function attach(socket: TerminalSocket, req: AttachRequest): void {
    if (shuttingDown) return refuse(socket, req, CLOSE_CODES.failed, "Isolab is shutting down.");
    let instance: Instance;
    try {
      instance = o.supervisor.get(req.instanceId);
    } catch (err) {
      return refuse(socket, req, CLOSE_CODES.notFound, isIsolabError(err) ? err.message : String(err));
    }
    const handle = o.supervisor.handle(req.instanceId);
    const refusal = refusalFor(instance, handle?.capabilities.terminal, perInstance.get(instance.id) ?? 0);
    if (refusal) return refuse(socket, req, refusal.code, refusal.message);
    const terminal = handle!.capabilities.terminal!;

    // Reserved before the first await: parallel opens cannot all pass the limit.
    perInstance.set(instance.id, (perInstance.get(instance.id) ?? 0) + 1);
    const sessionId = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    const startedAt = Date.now();
    const info: SessionInfo = { sessionId, instanceId: instance.id, startedAt: new Date(startedAt).toISOString(), actor: req.principal?.name ?? "anonymous" };
    let channel: TerminalChannel | undefined;
    let recording: Recording | undefined;
    let idle: NodeJS.Timeout | undefined;
    let ending: Promise<void> | undefined;

    const onInstance = (changed: Instance) => {
      if (changed.id === instance.id && changed.state !== "running") void end(`The instance is ${changed.state}; the session ended.`);
    };
    const onRemoved = ({ id }: { id: string }) => {
      if (id === instance.id) void end("The instance was removed; the session ended.");
    };
    o.bus.on("instance", onInstance);
    o.bus.on("instance-removed", onRemoved);

    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => void end(`No input for ${Math.round(idleTimeoutMs / 1000)} s; the session was closed.`), idleTimeoutMs);
      idle.unref();
    };

    function end(why: string): Promise<void> {
      ending ??= (async () => {
        clearTimeout(idle);
        o.bus.off("instance", onInstance);
        o.bus.off("instance-removed", onRemoved);
        live.delete(sessionId);
        try {
          await channel?.close();
          await recording?.end();
        } finally {
          perInstance.set(instance.id, (perInstance.get(instance.id) ?? 1) - 1);
          send(socket, { type: "ended", message: why, sessionId });
          socket.close(CLOSE_CODES.ended, "session ended");
          audit(req, startedAt, 101, `${why} (session ${sessionId})`);
        }
      })();
      return ending;
    }

    live.set(sessionId, { info, end });
    socket.on("close", () => void end("The browser closed the connection."));
    socket.on("message", (data, isBinary) => {
      if (ending || !channel) return;
      armIdle();
      if (isBinary) return input(data);
      control(data.toString("utf8"));
    });

    function input(data: Buffer) {
      if (data.length > MAX_INPUT_FRAME_BYTES) {
        send(socket, { type: "notice", message: `An input frame of ${data.length} bytes was refused: at most ${MAX_INPUT_FRAME_BYTES} bytes a frame.` });
        return;
      }
      for (let i = 0; i < data.length; i += WRITE_CHUNK_BYTES) channel!.write(data.subarray(i, i + WRITE_CHUNK_BYTES));
    }

    function control(text: string) {
      let parsed;
      try {
        parsed = TerminalControlSchema.safeParse(JSON.parse(text));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        send(socket, {
          type: "notice",
          message: 'A control frame was refused: send JSON {"type":"resize","rows":R,"cols":C}; keystrokes go in binary frames.',
        });
        return;
      }
      const size = checkSize(parsed.data.rows, parsed.data.cols);
      if (!size.ok) return send(socket, { type: "notice", message: `Resize refused: ${size.message}.` });
      if (size.clamped) send(socket, { type: "notice", message: `Resize clamped to ${size.rows}×${size.cols}.` });
      channel!.resize(size);
      recording?.resize(size);
    }

    void (async () => {
      try {
        const opened = await terminal.open(req.size);
        channel = opened;
        if (ending) return void opened.close();
        const file = path.join(recordingsDir(path.join(o.stateDir, "instances", instance.id)), `${sessionId}.cast`);
        try {
          recording = new Recording(file, req.size, `${instance.name} (${instance.kind})`, o.maxRecordingBytes);
        } catch (err) {
          send(socket, { type: "notice", message: `This session is not recorded: ${(err as Error).message}` });
        }
        opened.onData((data) => {
          recording?.output(data);
          if (socket.bufferedAmount > maxBuffered) return void end("The browser stopped reading the terminal's output; the session was closed.");
          socket.send(data);
        });
        void opened.ended.then((why) => end(`${why[0]!.toUpperCase()}${why.slice(1)}; the session ended.`));
        send(socket, { type: "opened", sessionId, kind: instance.kind as "container" | "vm", ...req.size });
        armIdle();
      } catch (err) {
        await end(`The shell could not be opened: ${isIsolabError(err) || err instanceof Error ? err.message : String(err)}`);
      }
    })();
  }

  return {
    attach,
    sessions: (): SessionInfo[] => [...live.values()].map((s) => ({ ...s.info })),
    isLive: (sessionId: string) => live.has(sessionId),
    recordingsDir: (instanceId: string) => recordingsDir(path.join(o.stateDir, "instances", instanceId)),
    /** Ends every session (before the instances stop, so each says why). */
    async shutdown(): Promise<void> {
      shuttingDown = true;
      await Promise.allSettled([...live.values()].map((s) => s.end("Isolab is shutting down; the session ended.")));
    },
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
