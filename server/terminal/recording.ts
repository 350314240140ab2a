import "server-only";
import fs from "node:fs";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { eventLine, headerLine } from "@/lib/terminal/asciicast";

// One session's asciicast v2 recording, written as it happens to
// <instance dir>/terminal/<session>.cast. Bounded: past the limit a last
// line says so and nothing more is written (the session goes on).

export const MAX_RECORDING_BYTES = 4 * 1024 * 1024;

export function recordingsDir(instanceDir: string): string {
  return path.join(instanceDir, "terminal");
}

export class Recording {
  private readonly out: fs.WriteStream;
  private readonly decoder = new StringDecoder("utf8");
  private bytes = 0;
  private full = false;
  private readonly t0 = performance.now();

  constructor(
    readonly file: string,
    size: { rows: number; cols: number },
    title: string,
    private readonly maxBytes = MAX_RECORDING_BYTES,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.out = fs.createWriteStream(file, { flags: "wx", mode: 0o600 });
    this.out.on("error", () => (this.full = true)); // a full disk stops the recording, not the session
    this.write(
      headerLine({ version: 2, width: size.cols, height: size.rows, timestamp: Math.floor(Date.now() / 1000), title, env: { TERM: "xterm-256color" } }),
    );
  }

  output(data: Buffer): void {
    const text = this.decoder.write(data);
    if (text) this.event("o", text);
  }

  resize(size: { rows: number; cols: number }): void {
    this.event("r", `${size.cols}x${size.rows}`);
  }

  end(): Promise<void> {
    const rest = this.decoder.end();
    if (rest) this.event("o", rest);
    return new Promise((resolve) => this.out.end(resolve));
  }

  private event(type: "o" | "r", data: string): void {
    if (this.full) return;
    const line = eventLine((performance.now() - this.t0) / 1000, type, data);
    if (this.bytes + Buffer.byteLength(line) > this.maxBytes) {
      this.write(eventLine((performance.now() - this.t0) / 1000, "o", `\r\n[recording stopped at its ${this.maxBytes} byte limit]\r\n`));
      this.full = true;
      return;
    }
    this.write(line);
  }

  private write(line: string): void {
    this.bytes += Buffer.byteLength(line);
    this.out.write(line);
  }
}
