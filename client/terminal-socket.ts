import { MAX_WS_PAYLOAD_BYTES, PASTE_CHUNK_BYTES, TERMINAL_PATH_PREFIX, chunks } from "@/lib/terminal/protocol";
import { TerminalNoticeSchema, type TerminalNotice } from "@/lib/schemas/terminal";

// The page's end of a terminal session: one WebSocket to Isolab's own
// server (same origin, so the gate's Origin check passes and a sign-in
// cookie goes along). Keystrokes and pastes go as binary frames, cut to the
// server's bound; output arrives as binary frames; control is JSON text.

export interface TerminalSocketEvents {
  output(data: Uint8Array): void;
  notice(msg: TerminalNotice): void;
  /** The socket closed; `ended` is the server's last word when it sent one (else the drop was the network's). */
  closed(info: { code: number; ended?: string }): void;
}

export function terminalUrl(instanceId: string, size: { rows: number; cols: number }, location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${TERMINAL_PATH_PREFIX}${encodeURIComponent(instanceId)}?rows=${size.rows}&cols=${size.cols}`;
}

export class TerminalConnection {
  private readonly ws: WebSocket;
  private ended: string | undefined;
  private readonly encoder = new TextEncoder();

  constructor(instanceId: string, size: { rows: number; cols: number }, events: TerminalSocketEvents) {
    this.ws = new WebSocket(terminalUrl(instanceId, size));
    this.ws.binaryType = "arraybuffer";
    this.ws.onmessage = (ev) => {
      if (ev.data instanceof ArrayBuffer) return events.output(new Uint8Array(ev.data));
      let parsed;
      try {
        parsed = TerminalNoticeSchema.safeParse(JSON.parse(String(ev.data)));
      } catch {
        return;
      }
      if (!parsed.success) return;
      if (parsed.data.type === "ended") this.ended = parsed.data.message;
      events.notice(parsed.data);
    };
    this.ws.onclose = (ev) => events.closed({ code: ev.code, ended: this.ended ?? closeWords(ev.code) });
  }

  /** Text typed or pasted; a long paste goes in several frames. */
  input(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    for (const piece of chunks(this.encoder.encode(text), PASTE_CHUNK_BYTES)) this.ws.send(piece);
  }

  resize(rows: number, cols: number): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "resize", rows, cols }));
  }

  close(): void {
    this.ws.close(1000);
  }
}

/** The one close the server explains with no frame of its own: ws cut off a frame over its payload limit. */
function closeWords(code: number): string | undefined {
  return code === 1009 ? `a frame was larger than the server accepts (${MAX_WS_PAYLOAD_BYTES} bytes); the session was closed` : undefined;
}
