import "server-only";
import { spawn } from "node:child_process";
import { ExecError } from "@/server/errors";
import type { EngineExecResult, ExecOptions } from "./engine";

/**
 * Runs a program with an argument array (never a shell), collecting stdout
 * and stderr as one output and reporting each stdout line as it arrives.
 * A timeout or abort kills it and rejects with ExecError.
 */
export function runCommand(file: string, args: string[], opts: ExecOptions = {}): Promise<EngineExecResult> {
  const { timeoutMs = 30_000, onLine, signal } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let pending = "";
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const kill = (why: string) => {
      child.kill("SIGKILL");
      finish(() => reject(new ExecError(`${file} ${args.join(" ")}: ${why}`)));
    };
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => kill("cancelled");
    signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (!onLine) return;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", (err) => finish(() => reject(new ExecError(`could not run ${file}: ${err.message}`))));
    child.on("close", (code, sig) => {
      if (onLine && pending) onLine(pending);
      finish(() => resolve({ exitCode: code ?? 128 + signalNumber(sig), output }));
    });
  });
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig === "SIGKILL" ? 9 : sig === "SIGTERM" ? 15 : 1;
}
