import "server-only";
import { spawn } from "node:child_process";
import { TailText } from "@/lib/core/tail-text";
import { ExecCancelledError, ExecError, ExecTimeoutError } from "@/server/errors";
import type { ExecOptions } from "../engine/contract";

export interface RunCommandOptions extends ExecOptions {
  /** What was asked to run, for error messages; defaults to the command line. */
  label?: string;
  /** Called once when a timeout or abort gives up on the command, before the program is signalled. */
  onAbandon?: () => void;
  /** Signal sent on give-up; SIGKILL follows after killGraceMs unless it is already SIGKILL. */
  abandonSignal?: NodeJS.Signals;
  killGraceMs?: number;
  /** Turns a spawn failure (ENOENT…) into the caller's own error. */
  spawnError?: (err: NodeJS.ErrnoException) => Error;
}

const MAX_PENDING_LINE_CHARS = 64 * 1024;

export interface RunCommandResult {
  exitCode: number;
  /** stdout and stderr interleaved as they arrived; only the last 256 Ki characters, with a note when more was cut. */
  output: string;
  stderr: string;
}

/**
 * Runs a program with an argument array (never a shell), collecting stdout
 * and stderr as one output and reporting each stdout line as it arrives.
 * A timeout or abort gives up on it and rejects with ExecError.
 */
export function runCommand(file: string, args: string[], opts: RunCommandOptions = {}): Promise<RunCommandResult> {
  const { timeoutMs = 30_000, onLine, signal, abandonSignal = "SIGKILL", killGraceMs = 2000 } = opts;
  const label = opts.label ?? `${file} ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ExecCancelledError(`${label}: cancelled before it started`));
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    // Bounded: a command that prints without end must not grow the server.
    const output = new TailText();
    const stderr = new TailText();
    let pending = "";
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const abandon = (error: ExecError) => {
      opts.onAbandon?.();
      child.kill(abandonSignal);
      if (abandonSignal !== "SIGKILL") {
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), killGraceMs).unref();
      }
      finish(() => reject(error));
    };
    const timer = setTimeout(
      () => abandon(new ExecTimeoutError(`${label}: timed out after ${timeoutMs} ms; give it a larger timeoutMs (at most 120000) or less work`)),
      timeoutMs,
    );
    const onAbort = () => abandon(new ExecCancelledError(`${label}: cancelled`));
    signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output.push(chunk);
      if (!onLine) return;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
      // A line that never ends is reported in pieces rather than held whole.
      if (pending.length > MAX_PENDING_LINE_CHARS) {
        onLine(pending);
        pending = "";
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output.push(chunk);
      stderr.push(chunk);
    });
    child.on("error", (err: NodeJS.ErrnoException) => finish(() => reject(opts.spawnError?.(err) ?? new ExecError(`could not run ${file}: ${err.message}`))));
    child.on("close", (code, sig) => {
      if (onLine && pending) onLine(pending);
      finish(() => resolve({ exitCode: code ?? 128 + signalNumber(sig), output: output.toString(), stderr: stderr.toString() }));
    });
  });
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig === "SIGKILL" ? 9 : sig === "SIGTERM" ? 15 : 1;
}
