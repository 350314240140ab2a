// Server-sent events wire format (WHATWG HTML §9.2), pure: the route writes
// with formatSseEvent, the bench and tests read with SseParser.

/** One event; data lines are split so a payload with newlines survives. */
export function formatSseEvent(event: string, data: unknown): string {
  if (!/^[A-Za-z0-9_-]+$/.test(event)) throw new Error(`invalid event name "${event}"`);
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return `event: ${event}\n${text
    .split(/\r\n|\r|\n/)
    .map((l) => `data: ${l}`)
    .join("\n")}\n\n`;
}

/** A comment line: ignored by EventSource, keeps proxies and idle timers from closing the stream. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

/** Tells the browser how long to wait before reconnecting, in ms. */
export function formatSseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}

export interface SseMessage {
  event: string;
  data: string;
}

/** Incremental parser: feed chunks as they arrive, get whole events back. */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (this.data.length) out.push({ event: this.event || "message", data: this.data.join("\n") });
        this.event = "";
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") this.event = value;
      else if (field === "data") this.data.push(value);
    }
    return out;
  }
}
