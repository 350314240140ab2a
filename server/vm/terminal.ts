import "server-only";
import net from "node:net";
import { ConflictError } from "@/server/errors";
import type { TerminalCapability, TerminalChannel, TerminalSize } from "@/server/engine/contract";
import type { AgentChannel } from "./agent-channel";

// A shell in the guest on its own serial port, ttyS2 (lib/vm/qemu-args.ts),
// never the console (ttyS0, the kernel log) nor the agent's port (ttyS1).
// QEMU listens on the port's socket; a session connects to it and asks the
// agent to start /bin/sh there (`tty-open`, guest/probe/tty.c), whose answer
// comes when the shell ends. Resize is an agent built-in (TIOCSWINSZ, which
// also sends SIGWINCH); closing hangs up every process on the port.
// One serial line is one terminal, so a VM takes one session at a time.

const AGENT_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
const FIRST_OUTPUT_WAIT_MS = 60_000;

export function vmTerminal(o: { agent: AgentChannel; termSocket: string }): TerminalCapability {
  return {
    maxSessions: 1,
    async open(size: TerminalSize): Promise<TerminalChannel> {
      // Connected first, so the shell's first prompt is not written to nobody.
      const sock = await connect(o.termSocket);
      let resolveEnded!: (why: string) => void;
      const ended = new Promise<string>((resolve) => (resolveEnded = resolve));
      sock.on("close", () => resolveEnded("the VM's terminal port closed"));
      sock.on("error", () => {}); // "close" follows
      // What the shell prints before anyone listens (its banner) is kept for the first listener.
      const early: Buffer[] = [];
      let listener: ((data: Buffer) => void) | undefined;
      sock.on("data", (d: Buffer) => (listener ? listener(d) : early.push(d)));
      const firstOutput = new Promise<void>((resolve) => sock.once("data", () => resolve()));
      const shell = o.agent.exec("tty-open", [String(size.rows), String(size.cols)]);
      shell.then(
        (r) =>
          resolveEnded(
            r.exitCode === 2 ? "this VM's image has no terminal support (rebuild it with npm run setup)" : `the shell exited with code ${r.exitCode}`,
          ),
        (err: Error) => resolveEnded(`the guest's agent: ${err.message}`),
      );
      // Until the shell has the port open, the guest's tty drops what arrives:
      // the session opens once the shell has printed (or ended, or 60 s passed).
      await Promise.race([firstOutput, ended, new Promise((r) => setTimeout(r, FIRST_OUTPUT_WAIT_MS).unref())]);
      // Resizes in order, one request at a time; the latest wins.
      let resizing = Promise.resolve();
      let closing: Promise<void> | undefined;
      return {
        write: (data) => void sock.write(data),
        resize({ rows, cols }) {
          resizing = resizing.then(() =>
            o.agent.exec("tty-resize", [String(rows), String(cols)], { timeoutMs: AGENT_TIMEOUT_MS }).then(
              () => {},
              () => {},
            ),
          );
        },
        onData(l) {
          listener = l;
          for (const d of early.splice(0)) l(d);
        },
        ended,
        close() {
          closing ??= (async () => {
            // Written at once: the agent runs built-ins in the order it reads them, so this
            // hangup lands before any later session's tty-open and never kills its shell.
            const hangup = o.agent.exec("tty-hangup", [], { timeoutMs: AGENT_TIMEOUT_MS }).catch(() => undefined);
            sock.destroy();
            await hangup;
          })();
          return closing;
        },
      };
    },
  };
}

function connect(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new ConflictError("The VM's terminal port did not answer."));
    }, CONNECT_TIMEOUT_MS);
    sock.once("connect", () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once("error", (err) => {
      clearTimeout(timer);
      reject(new ConflictError(`The VM's terminal port cannot be reached (${err.message}); a VM started before Isolab had terminals has none.`));
    });
  });
}
