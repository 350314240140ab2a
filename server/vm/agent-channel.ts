import "server-only";
import type { Duplex } from "node:stream";
import type { ExecOptions, EngineExecResult } from "@/server/engine/contract";
import { ExecCancelledError, ExecError, ExecTimeoutError } from "@/server/errors";
import { TailText } from "@/lib/core/tail-text";

/** The longest line accepted from the guest; the probe frames output in far shorter lines. */
export const MAX_AGENT_LINE_CHARS = 256 * 1024;
import { formatAgentRequest, parseAgentLine } from "@/lib/vm/agent-protocol";

// The host side of the agent protocol on the VM's second serial port
// (guest/README.md). Requests carry ids from a counter and run concurrently in
// the guest; their lines may interleave and are routed by id.

export interface AgentReady {
  uptimeSeconds: number;
  initUptimeSeconds?: number;
  /** performance.now() when the READY line reached the host. */
  at: number;
}

/** The channel closed (QEMU exited, or the VM was stopped) before the answer. */
export class AgentClosedError extends ExecError {}

interface Pending {
  command: string;
  /** The command's lines so far, bounded to the last ones (a guest may print without end). */
  lines: TailText;
  onLine?: (line: string) => void;
  resolve: (r: EngineExecResult) => void;
  reject: (err: Error) => void;
}

export class AgentChannel {
  /** Settles with the first READY line; rejects if the channel closes first. */
  readonly ready: Promise<AgentReady>;
  private readyState?: AgentReady;
  private resolveReady!: (r: AgentReady) => void;
  private rejectReady!: (err: Error) => void;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffer = "";
  private skippingLine = false;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // observed by whoever awaits it; never unhandled
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.onData(chunk));
    stream.on("error", () => {}); // 'close' follows and rejects what is pending
    stream.on("close", () => this.onClose());
  }

  get isReady(): boolean {
    return this.readyState !== undefined;
  }

  /** The id the next request will carry. */
  get nextRequestId(): number {
    return this.nextId;
  }

  /**
   * For a guest restored from a snapshot: its agent printed READY long ago
   * (to another QEMU) and is blocked in read(), so no READY line comes.
   * Requests may be sent at once; ids continue from `nextId` so that lines
   * of a request still running in the saved guest never match a new one.
   */
  adopt(nextId: number): void {
    this.nextId = Math.max(this.nextId, nextId);
    if (this.readyState) return;
    this.readyState = { uptimeSeconds: 0, at: this.now() };
    this.resolveReady(this.readyState);
  }

  async exec(command: string, args: string[], opts: ExecOptions = {}): Promise<EngineExecResult> {
    let request: string;
    const id = this.nextId++;
    try {
      request = formatAgentRequest(id, command, args);
    } catch (err) {
      throw new ExecError((err as Error).message);
    }
    opts.signal?.throwIfAborted();
    if (!this.readyState) await this.waitReady(command, opts.timeoutMs);
    if (this.closed) throw new AgentClosedError(`agent channel closed; cannot run ${command}`);

    return new Promise<EngineExecResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => finish(() => reject(new ExecCancelledError(`${command} aborted`, { reason: String(opts.signal?.reason) })));
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        // Later lines for this id (the guest cannot be told to stop) are dropped.
        this.pending.delete(id);
        settle();
      };
      this.pending.set(id, {
        command,
        lines: new TailText(),
        onLine: opts.onLine,
        resolve: (r) => finish(() => resolve(r)),
        reject: (e) => finish(() => reject(e)),
      });
      if (opts.timeoutMs !== undefined) {
        const ms = opts.timeoutMs;
        timer = setTimeout(
          () =>
            finish(() => reject(new ExecTimeoutError(`${command} did not finish within ${ms} ms; give it a larger timeoutMs (at most 120000) or less work`))),
          ms,
        );
      }
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      this.stream.write(request);
    });
  }

  close(): void {
    this.stream.destroy();
  }

  /** A request sent before READY would meet a guest tty not yet in raw mode. */
  private async waitReady(command: string, timeoutMs?: number): Promise<void> {
    if (timeoutMs === undefined) {
      await this.ready;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ExecError(`${command}: the guest agent was not ready within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.ready, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      // The end of an over-long line whose start was already dropped.
      if (this.skippingLine) this.skippingLine = false;
      else this.onLine(line);
    }
    // Guest output is untrusted: a line that never ends would grow without
    // bound. The probe frames lines far shorter than this, so such a line is
    // not a protocol message; it is dropped up to its newline.
    if (this.buffer.length > MAX_AGENT_LINE_CHARS) {
      this.buffer = "";
      this.skippingLine = true;
    }
  }

  private onLine(raw: string): void {
    const msg = parseAgentLine(raw);
    if (!msg) return;
    if (msg.type === "ready") {
      if (this.readyState) {
        // init restarted the agent: what was running died with it.
        this.rejectAll((cmd) => new ExecError(`the guest agent restarted while ${cmd} was running`));
        return;
      }
      this.readyState = { uptimeSeconds: msg.ready.uptimeSeconds!, initUptimeSeconds: msg.ready.initUptimeSeconds, at: this.now() };
      this.resolveReady(this.readyState);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === "line") {
      p.lines.push(p.lines.empty ? msg.line : `\n${msg.line}`);
      p.onLine?.(msg.line);
    } else {
      p.resolve({ exitCode: msg.exitCode, output: p.lines.toString() });
    }
  }

  private rejectAll(makeError: (command: string) => Error): void {
    for (const p of [...this.pending.values()]) p.reject(makeError(p.command));
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.rejectReady(new AgentClosedError("agent channel closed before READY"));
    this.rejectAll((cmd) => new AgentClosedError(`agent channel closed while ${cmd} was running`));
  }
}
