// asciicast v2 (the asciinema format): a JSON header line, then one JSON
// array per event: [seconds since start, "o" | "i" | "r", data]. Output is
// recorded as "o", resizes as "r" ("COLSxROWS"); input is not recorded
// (passwords typed at a prompt would land in the file).

export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix seconds. */
  timestamp: number;
  title?: string;
  env?: Record<string, string>;
}

export type AsciicastEvent = [number, "o" | "i" | "r" | "m", string];

export function headerLine(h: AsciicastHeader): string {
  return `${JSON.stringify(h)}\n`;
}

export function eventLine(seconds: number, type: AsciicastEvent[1], data: string): string {
  return `${JSON.stringify([Math.round(seconds * 1e6) / 1e6, type, data])}\n`;
}

export interface ParsedCast {
  header: AsciicastHeader;
  events: AsciicastEvent[];
}

/** Parses a recording; lines that are not events (a cut-off last line) are skipped. */
export function parseAsciicast(text: string): ParsedCast {
  const lines = text.split("\n");
  const header = JSON.parse(lines[0] ?? "") as AsciicastHeader;
  if (header.version !== 2 || !Number.isFinite(header.width) || !Number.isFinite(header.height)) throw new Error("not an asciicast v2 recording");
  const events: AsciicastEvent[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as unknown;
      if (Array.isArray(e) && e.length === 3 && typeof e[0] === "number" && typeof e[1] === "string" && typeof e[2] === "string") {
        events.push(e as AsciicastEvent);
      }
    } catch {
      // a line cut off by the size bound
    }
  }
  return { header, events };
}

/** When to play each event: the recorded gaps, each capped so a long pause does not stall a replay. */
export function replaySchedule(events: AsciicastEvent[], maxGapSeconds: number): number[] {
  const out: number[] = [];
  let prev = 0;
  let at = 0;
  for (const [t] of events) {
    at += Math.min(Math.max(0, t - prev), maxGapSeconds);
    prev = t;
    out.push(at);
  }
  return out;
}
