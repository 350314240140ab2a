// Text captured from a program, bounded: only the last `limit` characters
// are kept, so a command that prints without end cannot grow the server.
// What was cut is counted and said at the top of the text.

/** Characters of output kept from one command (its last ones). */
export const MAX_CAPTURED_OUTPUT_CHARS = 256 * 1024;

export class TailText {
  private text = "";
  private dropped = 0;
  private pushed = false;

  constructor(private readonly limit = MAX_CAPTURED_OUTPUT_CHARS) {}

  push(chunk: string): void {
    this.pushed = true;
    this.text += chunk;
    // Trim in steps of a quarter of the limit, not on every chunk.
    if (this.text.length > this.limit + (this.limit >> 2)) this.trim();
  }

  /** True until the first push, even of an empty string (a joiner needs to know). */
  get empty(): boolean {
    return !this.pushed;
  }

  get truncated(): boolean {
    return this.dropped > 0 || this.text.length > this.limit;
  }

  toString(): string {
    this.trim();
    if (this.dropped === 0) return this.text;
    return `[output truncated: the first ${this.dropped} characters were cut; the last ${this.limit} are kept]\n${this.text}`;
  }

  private trim(): void {
    const over = this.text.length - this.limit;
    if (over <= 0) return;
    this.text = this.text.slice(over);
    this.dropped += over;
  }
}
