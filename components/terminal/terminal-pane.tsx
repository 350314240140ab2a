"use client";
import "@xterm/xterm/css/xterm.css";
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState } from "react";
import type { Terminal } from "@xterm/xterm";
import type { FitAddon } from "@xterm/addon-fit";
import { TerminalConnection } from "@/client/terminal-socket";
import { DEFAULT_SIZE } from "@/lib/terminal/protocol";

// A shell in an instance, in the page: xterm.js fitted to its pane, over the
// terminal WebSocket (client/terminal-socket.ts). Copy and paste work as in
// any xterm (select, then the browser's copy; paste with the browser's
// paste), and through the two buttons. A dropped connection (no word from
// the server) is retried a few times; a session the server ended says why in
// the pane and offers a new one.

export interface TerminalPaneHandle {
  /** Types `text` into the shell as if it were typed (the side-by-side page's teaching buttons). */
  type(text: string): void;
}

type Status = { state: "connecting" } | { state: "open"; sessionId: string } | { state: "ended"; message: string } | { state: "dropped"; retryIn: number };

const RETRY_DELAYS_MS = [1000, 2000, 4000];
const SCROLLBACK_LINES = 5000;

export const TerminalPane = forwardRef<TerminalPaneHandle, { instanceId: string; label: string; height?: number }>(function TerminalPane(
  { instanceId, label, height = 360 },
  ref,
) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const conn = useRef<TerminalConnection | null>(null);
  const retries = useRef(0);
  const [status, setStatus] = useState<Status>({ state: "connecting" });
  const [notice, setNotice] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useImperativeHandle(ref, () => ({ type: (text: string) => conn.current?.input(text) }), []);

  // The terminal itself lives as long as the pane; reconnecting keeps its scrollback.
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      if (disposed || !box.current) return;
      const t = new Terminal({ scrollback: SCROLLBACK_LINES, cursorBlink: true, fontSize: 13, rows: DEFAULT_SIZE.rows, cols: DEFAULT_SIZE.cols });
      const f = new FitAddon();
      t.loadAddon(f);
      t.open(box.current);
      f.fit();
      t.onData((d) => conn.current?.input(d));
      t.onResize(({ rows, cols }) => conn.current?.resize(rows, cols));
      observer = new ResizeObserver(() => f.fit());
      observer.observe(box.current);
      term.current = t;
      fit.current = f;
      setGeneration((g) => g + 1);
    })();
    return () => {
      disposed = true;
      observer?.disconnect();
      conn.current?.close();
      conn.current = null;
      term.current?.dispose();
      term.current = null;
    };
  }, []);

  const connect = useCallback(() => {
    const t = term.current;
    if (!t) return;
    conn.current?.close();
    setStatus({ state: "connecting" });
    setNotice(null);
    const c = new TerminalConnection(
      instanceId,
      { rows: t.rows, cols: t.cols },
      {
        output: (data) => t.write(data),
        notice: (msg) => {
          if (msg.type === "opened") {
            retries.current = 0;
            setStatus({ state: "open", sessionId: msg.sessionId });
            t.focus();
          } else if (msg.type === "notice") setNotice(msg.message);
        },
        closed: ({ ended }) => {
          if (conn.current !== c) return;
          conn.current = null;
          if (ended !== undefined) {
            t.write(`\r\n\x1b[33m[${ended}]\x1b[0m\r\n`);
            setStatus({ state: "ended", message: ended });
            return;
          }
          const delay = RETRY_DELAYS_MS[retries.current++];
          if (delay === undefined) {
            const message = "The connection to Isolab dropped and did not come back.";
            t.write(`\r\n\x1b[33m[${message}]\x1b[0m\r\n`);
            setStatus({ state: "ended", message });
            return;
          }
          t.write(`\r\n\x1b[33m[connection dropped; reconnecting in ${delay / 1000} s]\x1b[0m\r\n`);
          setStatus({ state: "dropped", retryIn: delay });
          setTimeout(() => setGeneration((g) => g + 1), delay);
        },
      },
    );
    conn.current = c;
  }, [instanceId]);

  // A new generation (the terminal is ready, or a retry is due) opens a connection.
  useEffect(() => {
    if (generation > 0) connect();
  }, [generation, connect]);

  const copy = () => {
    const text = term.current?.getSelection();
    if (text) void navigator.clipboard?.writeText(text);
  };
  const paste = () => {
    void navigator.clipboard?.readText().then((text) => conn.current?.input(text));
  };

  return (
    <div className="stack terminal-pane" data-testid={`terminal-${label}`}>
      <div className="row small" style={{ justifyContent: "space-between" }}>
        <span role="status" data-testid={`terminal-status-${label}`}>
          {status.state === "connecting" && "Connecting…"}
          {status.state === "open" && <>Connected · recording session {status.sessionId}</>}
          {status.state === "dropped" && `Connection dropped; retrying in ${status.retryIn / 1000} s`}
          {status.state === "ended" && <>Session ended: {status.message}</>}
        </span>
        <span className="row">
          <button type="button" onClick={copy} title="Copy the selected text">
            Copy
          </button>
          <button type="button" onClick={paste} title="Paste from the clipboard into the shell">
            Paste
          </button>
          {status.state === "ended" && (
            <button
              type="button"
              onClick={() => {
                retries.current = 0;
                connect();
              }}
            >
              Reconnect
            </button>
          )}
        </span>
      </div>
      {notice && (
        <div className="muted small" role="alert">
          {notice}
        </div>
      )}
      <div ref={box} className="terminal-screen" style={{ height }} aria-label={`Terminal of ${label}`} data-testid={`terminal-screen-${label}`} />
    </div>
  );
});
