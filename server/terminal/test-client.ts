import { WebSocket } from "ws";
import type { TerminalNotice } from "@/lib/schemas/terminal";

// A terminal session as a test (or the bench) drives it: the raw bytes the
// shell printed, the server's notices, and the close.

export interface TestTerminal {
  ws: WebSocket;
  /** Everything the shell printed so far. */
  output(): string;
  notices: TerminalNotice[];
  opened: Promise<Extract<TerminalNotice, { type: "opened" }>>;
  closed: Promise<{ code: number; ended?: string }>;
  type(text: string): void;
  resize(rows: number, cols: number): void;
  /** Resolves with the output once `pattern` matches what came after `from` (an output() length). */
  waitFor(pattern: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<string>;
  waitForNotice(pred: (n: TerminalNotice) => boolean, timeoutMs?: number): Promise<TerminalNotice>;
}

export function openTestTerminal(
  port: number,
  instanceId: string,
  opts: { rows?: number; cols?: number; headers?: Record<string, string>; origin?: string } = {},
): TestTerminal {
  const q = opts.rows ? `?rows=${opts.rows}&cols=${opts.cols}` : "";
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/terminal/${instanceId}${q}`, { headers: opts.headers, origin: opts.origin });
  let out = "";
  const notices: TerminalNotice[] = [];
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  let ended: string | undefined;
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary) out += data.toString("utf8");
    else {
      const n = JSON.parse(data.toString("utf8")) as TerminalNotice;
      if (n.type === "ended") ended = n.message;
      notices.push(n);
    }
    poke();
  });
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; ended?: string }>((resolve) => ws.on("close", (code) => resolve({ code, ended })));
  void closed.then(poke);

  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: () => string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`timed out waiting for ${what()}`));
      }, timeoutMs);
      const test = () => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        waiters.delete(test);
        resolve(v);
      };
      waiters.add(test);
      test();
    });

  const waitForNotice = (pred: (n: TerminalNotice) => boolean, timeoutMs = 30_000) =>
    waitUntil(
      () => notices.find(pred),
      timeoutMs,
      () => `a notice; got ${JSON.stringify(notices)}`,
    );

  const opened = waitForNotice((n) => n.type === "opened" || n.type === "ended").then((n) => {
    if (n.type !== "opened") throw new Error(`the session did not open: ${JSON.stringify(n)}`);
    return n;
  });
  opened.catch(() => {}); // a refusal test reads `closed` instead
  return {
    ws,
    output: () => out,
    notices,
    opened,
    closed,
    type: (text) => ws.send(Buffer.from(text)),
    resize: (rows, cols) => ws.send(JSON.stringify({ type: "resize", rows, cols })),
    waitFor: (pattern, o = {}) =>
      waitUntil(
        () => (pattern.test(out.slice(o.from ?? 0)) ? out.slice(o.from ?? 0) : undefined),
        o.timeoutMs ?? 30_000,
        () => `${pattern} in ${JSON.stringify(out.slice(o.from ?? 0).slice(-400))}`,
      ),
    waitForNotice,
  };
}
