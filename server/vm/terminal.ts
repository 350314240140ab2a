import "server-only";
import type net from "node:net";
import { ConflictError } from "@/server/errors";
import type { TerminalCapability, TerminalChannel, TerminalSize } from "@/server/engine/contract";
import type { AgentChannel } from "./agent-channel";

// A shell in the guest on its own serial port, ttyS2 (lib/vm/qemu-args.ts),
// never the console (ttyS0, the kernel log) nor the agent's port (ttyS1).
// QEMU connects the port to Isolab's socket at start, like the agent's (it
// may create nothing in the instance directory), and Isolab holds that
// connection for the VM's life; a session reads and writes it and asks the
// agent to start /bin/sh there (`tty-open`, guest/probe/tty.c), whose answer
// comes when the shell ends. Resize is an agent built-in (TIOCSWINSZ, which
// also sends SIGWINCH); closing hangs up every process on the port.
// One serial line is one terminal, so a VM takes one session at a time;
// what the guest writes there with no session open is dropped.

const AGENT_TIMEOUT_MS = 10_000;
const FIRST_OUTPUT_WAIT_MS = 60_000;

export function vmTerminal(o: { agent: AgentChannel; term: net.Socket }): TerminalCapability {
  let listener: ((data: Buffer) => void) | undefined;
  o.term.on("data", (d: Buffer) => listener?.(d));
  o.term.on("error", () => {}); // "close" follows
  const portClosed = new Promise<string>((resolve) => o.term.once("close", () => resolve("the VM's terminal port closed")));
  return {
    maxSessions: 1,
    async open(size: TerminalSize): Promise<TerminalChannel> {
      if (o.term.destroyed) throw new ConflictError("The VM's terminal port is closed.");
      // What the shell prints before the session's own listener is set (its banner) is kept for it.
      const early: Buffer[] = [];
      let forward: ((data: Buffer) => void) | undefined;
      let firstOutput!: () => void;
      const printed = new Promise<void>((r) => (firstOutput = r));
      listener = (d) => {
        firstOutput();
        if (forward) forward(d);
        else early.push(d);
      };
      let resolveEnded!: (why: string) => void;
      const ended = new Promise<string>((resolve) => (resolveEnded = resolve));
      void portClosed.then(resolveEnded);
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
      await Promise.race([printed, ended, new Promise((r) => setTimeout(r, FIRST_OUTPUT_WAIT_MS).unref())]);
      let resizing = Promise.resolve();
      let closing: Promise<void> | undefined;
      return {
        write: (data) => void o.term.write(data),
        // In order, one request at a time; the latest wins.
        resize({ rows, cols }) {
          resizing = resizing.then(() =>
            o.agent.exec("tty-resize", [String(rows), String(cols)], { timeoutMs: AGENT_TIMEOUT_MS }).then(
              () => {},
              () => {},
            ),
          );
        },
        onData(l) {
          forward = l;
          for (const d of early.splice(0)) l(d);
        },
        ended,
        close() {
          closing ??= (async () => {
            listener = undefined;
            // Written at once: the agent runs built-ins in the order it reads them, so this
            // hangup lands before any later session's tty-open and never kills its shell.
            await o.agent.exec("tty-hangup", [], { timeoutMs: AGENT_TIMEOUT_MS }).catch(() => undefined);
          })();
          return closing;
        },
      };
    },
  };
}
