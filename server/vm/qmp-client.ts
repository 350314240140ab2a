import "server-only";
import { EventEmitter } from "node:events";
import net from "node:net";
import type { z } from "zod";
import { QmpErrorReply, QmpEvent, QmpGreeting, QmpReturnReply } from "@/lib/schemas/qmp";

// A QMP client shaped like QEMU's python/qemu/qmp/qmp_client.py: greeting →
// qmp_capabilities → execute; ids from a counter; a map of pending replies;
// events to their own emitter; one error class per failure; every pending
// call rejected when the socket closes.

export class QmpError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
/** No greeting, a malformed greeting, or capabilities negotiation failed. */
export class QmpConnectError extends QmpError {}
/** QEMU answered the command with an error object. */
export class QmpCommandError extends QmpError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP ${command} failed: ${errorClass}: ${desc}`);
  }
}
/** The connection closed (QEMU exited, or close() was called) before a reply. */
export class QmpClosedError extends QmpError {}
/** No reply within the caller's timeout; the connection stays usable. */
export class QmpTimeoutError extends QmpError {}

export interface QmpEvents {
  event: [QmpEvent];
  close: [];
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export interface QmpExecuteOptions<T> {
  /** Parses the `return` value; without it the value is `unknown`. */
  schema?: z.ZodType<T>;
  timeoutMs?: number;
}

export class QmpClient {
  readonly events = new EventEmitter<QmpEvents>();
  greeting?: QmpGreeting;
  /** performance.now() when the greeting arrived: QEMU's monitor is up. */
  greetingAt?: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffer = "";
  private isClosed = false;
  private greetingWaiter?: { resolve: (g: QmpGreeting) => void; reject: (err: Error) => void };

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    // 'close' always follows 'error'; the error itself adds nothing a caller can act on.
    socket.on("error", () => {});
    socket.on("close", () => this.onClose());
  }

  /**
   * Takes an already connected socket (QEMU connected to Isolab's listener).
   * `pipeline` runs right after `qmp_capabilities` is written, before its
   * reply: what it executes follows in the same burst (QMP answers in order),
   * one round trip for all instead of one each. Its promises are its own.
   */
  static async fromSocket(socket: net.Socket, opts: { timeoutMs?: number; pipeline?: (client: QmpClient) => void } = {}): Promise<QmpClient> {
    const client = new QmpClient(socket);
    try {
      await client.handshake(opts.timeoutMs ?? 10_000, opts.pipeline);
      return client;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Connects to a QMP server socket (QEMU started with server=on). */
  static async connect(path: string, opts: { timeoutMs?: number } = {}): Promise<QmpClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(path);
      s.once("connect", () => resolve(s));
      s.once("error", (err) => reject(new QmpConnectError(`cannot connect to QMP at ${path}: ${err.message}`, { cause: err })));
    });
    return QmpClient.fromSocket(socket, opts);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>, opts: QmpExecuteOptions<T> = {}): Promise<T> {
    if (this.isClosed) throw new QmpClosedError(`QMP connection closed; cannot run ${command}`);
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => this.pending.set(id, { command, resolve, reject }));
    this.socket.write(JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id }) + "\n");
    const value = await (opts.timeoutMs === undefined ? reply : this.withTimeout(id, reply, opts.timeoutMs));
    return opts.schema ? opts.schema.parse(value) : (value as T);
  }

  /** Resolves with the next event called `name`. */
  waitEvent(name: string, timeoutMs: number): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const onEvent = (ev: QmpEvent) => {
        if (ev.event !== name) return;
        done();
        resolve(ev);
      };
      const onClose = () => {
        done();
        reject(new QmpClosedError(`QMP connection closed while waiting for ${name}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new QmpTimeoutError(`no ${name} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.events.off("event", onEvent);
        this.events.off("close", onClose);
      };
      this.events.on("event", onEvent);
      this.events.on("close", onClose);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private async handshake(timeoutMs: number, pipeline?: (client: QmpClient) => void): Promise<void> {
    const greeting = new Promise<QmpGreeting>((resolve, reject) => (this.greetingWaiter = { resolve, reject }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QmpConnectError(`no QMP greeting within ${timeoutMs} ms`)), timeoutMs);
    });
    const negotiated = greeting.then((g) => {
      this.greeting = g;
      const caps = this.execute("qmp_capabilities");
      pipeline?.(this);
      return caps;
    });
    // If the timeout wins, the close that follows rejects `negotiated` too.
    negotiated.catch(() => {});
    try {
      await Promise.race([negotiated, timeout]);
    } catch (err) {
      if (err instanceof QmpConnectError) throw err;
      throw new QmpConnectError(`QMP negotiation failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  private withTimeout(id: number, reply: Promise<unknown>, timeoutMs: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const p = this.pending.get(id);
        this.pending.delete(id);
        reject(new QmpTimeoutError(`QMP ${p?.command ?? id} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // QEMU only sends JSON; a torn line is dropped, not fatal.
    }
    if (this.greetingWaiter) {
      const waiter = this.greetingWaiter;
      this.greetingWaiter = undefined;
      const parsed = QmpGreeting.safeParse(msg);
      if (!parsed.success) {
        waiter.reject(new QmpConnectError(`not a QMP greeting: ${line.slice(0, 200)}`));
        return;
      }
      this.greetingAt = performance.now();
      waiter.resolve(parsed.data);
      return;
    }
    if (typeof msg !== "object" || msg === null) return;
    if ("event" in msg) {
      const ev = QmpEvent.safeParse(msg);
      if (ev.success) this.events.emit("event", ev.data);
    } else if ("error" in msg) {
      const err = QmpErrorReply.safeParse(msg);
      if (err.success) this.settle(err.data.id, (p) => p.reject(new QmpCommandError(p.command, err.data.error.class, err.data.error.desc)));
    } else if ("return" in msg) {
      const ok = QmpReturnReply.safeParse(msg);
      if (ok.success) this.settle(ok.data.id, (p) => p.resolve(ok.data.return));
    }
  }

  private settle(id: number | string | undefined, fn: (p: Pending) => void): void {
    const key = typeof id === "string" ? Number(id) : id;
    const p = key === undefined ? undefined : this.pending.get(key);
    if (!p || key === undefined) return; // a reply to a call that already timed out
    this.pending.delete(key);
    fn(p);
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.greetingWaiter?.reject(new QmpConnectError("QMP connection closed before the greeting"));
    this.greetingWaiter = undefined;
    for (const p of this.pending.values()) p.reject(new QmpClosedError(`QMP connection closed before ${p.command} returned`));
    this.pending.clear();
    this.events.emit("close");
  }
}
