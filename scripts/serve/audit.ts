// The audit hook of scripts/serve.mjs: every state-changing request, and the
// gate's refusals that matter, get one row in the app's audit log when the
// answer has finished (its status and duration known). The log itself is
// app.audit (server/audit/store.ts), reached through the app's globalThis key
// because this process loads no server-only module; rows that arrive before
// the app is built wait in a small queue.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { AUDIT_NOTE_HEADER, parseAuditNote, type AuditNote } from "../../lib/audit/note";
import { auditAction, isAudited } from "../../lib/audit/target";
import type { AuditEntryInput } from "../../lib/schemas/audit";

export interface AuditSink {
  record(entry: AuditEntryInput): unknown;
}

/** Set by the sign-in step after the gate (the auth layer). */
export interface Principal {
  name: string;
  role: string;
  via?: string;
}

type AuditedRequest = IncomingMessage & { isolabPrincipal?: Principal; isolabAudit?: AuditNote };
type Verdict = { allow: true } | { allow: false; status: number; message: string };

const MAX_PENDING = 1000;
const DETAIL_CHARS = 200;

function peer(req: IncomingMessage): string {
  const addr = req.socket?.remoteAddress ?? "unknown";
  return addr.startsWith("::ffff:") ? addr.slice(7) : addr;
}

function firstSentence(message: string): string {
  const end = message.indexOf(". ");
  const text = end > 0 ? message.slice(0, end + 1) : message;
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS - 1)}…` : text;
}

export function createAuditHook(getSink: () => AuditSink | undefined) {
  const pending: AuditEntryInput[] = [];

  function write(entry: AuditEntryInput) {
    const sink = getSink();
    if (!sink) {
      if (pending.length < MAX_PENDING) pending.push(entry);
      return;
    }
    try {
      for (const e of pending.splice(0)) sink.record(e);
      sink.record(entry);
    } catch (err) {
      // An audit write failing must not take the request down with it; it is said loudly instead.
      console.error(`[isolab] audit: could not record ${entry.action}: ${(err as Error).message}`);
    }
  }

  function entryFor(req: AuditedRequest, verdict: Verdict, at: number, started: number, result: number, detail?: string): AuditEntryInput {
    const path = (req.url ?? "/").split("?")[0];
    const derived = auditAction(req.method ?? "GET", path);
    const note = req.isolabAudit ?? {};
    const principal = req.isolabPrincipal;
    return {
      at,
      actor: principal?.name ?? note.actor ?? "anonymous",
      role: principal?.role ?? note.role ?? null,
      action: note.action ?? derived.action,
      target: note.target !== undefined ? note.target : derived.target,
      from: peer(req),
      result,
      durationMs: performance.now() - started,
      detail: note.detail ?? detail ?? (verdict.allow ? null : firstSentence(verdict.message)),
    };
  }

  /**
   * Call on arrival, after the gate's verdict: records once, when the answer
   * finished or the client left, if the request changes state, was refused
   * in a way that matters, or code after the gate asked for a row
   * (`req.isolabAudit.force`). A route's note arrives as a response header,
   * taken off here before it is sent.
   */
  function watch(req: AuditedRequest, res: ServerResponse, verdict: Verdict) {
    const at = Date.now();
    const started = performance.now();
    takeNotes(req, res);
    let done = false;
    const finish = (result: number, detail?: string) => {
      if (done) return;
      done = true;
      const audited = isAudited(req.method ?? "GET", (req.url ?? "/").split("?")[0], verdict.allow ? undefined : verdict.status);
      if (audited || req.isolabAudit?.force) write(entryFor(req, verdict, at, started, result, detail));
    };
    res.once("finish", () => finish(res.statusCode));
    res.once("close", () => finish(res.headersSent ? res.statusCode : 499, "the client left before the answer finished"));
  }

  /** Routes name their note in a header; it joins the request's note and never reaches the client. */
  function takeNotes(req: AuditedRequest, res: ServerResponse) {
    for (const method of ["setHeader", "appendHeader"] as const) {
      const original = res[method].bind(res) as (name: string, value: string | number | readonly string[]) => ServerResponse;
      res[method] = ((name: string, value: string | number | readonly string[]) => {
        if (name.toLowerCase() !== AUDIT_NOTE_HEADER) return original(name, value);
        const note = parseAuditNote(String(Array.isArray(value) ? value[0] : value));
        if (note) req.isolabAudit = { ...req.isolabAudit, ...note };
        return res;
      }) as never;
    }
  }

  /**
   * An upgrade (a terminal's WebSocket): recorded when its socket closes,
   * with the status its handshake answered — 101 and how long the session
   * lasted, or the refusal of whoever refused it (the gate here, or the
   * sign-in step after it), read from the first bytes written back.
   */
  function watchUpgrade(req: AuditedRequest, socket: Socket, verdict: Verdict) {
    const path = (req.url ?? "/").split("?")[0];
    if (verdict.allow && path.startsWith("/_next/")) return;
    const at = Date.now();
    const started = performance.now();
    let answered: number | undefined;
    for (const method of ["write", "end"] as const) {
      const original = socket[method].bind(socket) as (...args: unknown[]) => unknown;
      socket[method] = ((...args: unknown[]) => {
        if (answered === undefined && (typeof args[0] === "string" || Buffer.isBuffer(args[0]))) {
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(String(args[0]).slice(0, 16));
          if (status) answered = Number(status[1]);
        }
        return original(...args);
      }) as never;
    }
    socket.once("close", () => {
      const result = answered ?? (verdict.allow ? 499 : verdict.status);
      write(entryFor(req, verdict, at, started, result, answered === undefined ? "closed before the handshake was answered" : undefined));
    });
  }

  return { watch, watchUpgrade };
}
