import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { ExecError } from "@/server/errors";
import type { EngineExecResult } from "@/server/instances/engine";
import { runtimeErrorMessage, spawnError } from "./cli";
import type { RuntimeExecOptions } from "./runtime";

// `runc exec`: streams stdout lines to onLine, and on timeout or abort kills
// the process *inside* the container (its host pid comes from --pid-file);
// killing only the runc CLI would leave the workload running.

const CLI_KILL_GRACE_MS = 2000;

export function execInContainer(
  binary: string,
  cliArgs: string[],
  opts: RuntimeExecOptions & {
    /** What was asked to run, for error messages. */
    label: string;
    isRuntimeFailure: (exitCode: number, stderr: string) => boolean;
  },
): Promise<EngineExecResult> {
  const { timeoutMs = 60_000, onLine, signal, pidFile, label, isRuntimeFailure } = opts;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ExecError("exec cancelled before it started"));
    const child = spawn(binary, cliArgs, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stderr = "";
    let pending = "";
    let settled = false;

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const abandon = (why: string) => {
      killExecProcess(pidFile);
      child.kill("SIGTERM"); // runc forwards it to the process, in case the pid file was not written yet
      setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), CLI_KILL_GRACE_MS).unref();
      finish(() => reject(new ExecError(`${label}: ${why}`)));
    };
    const timer = setTimeout(() => abandon(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => abandon("cancelled");
    signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (!onLine) return;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      stderr += chunk;
    });
    child.once("error", (err: NodeJS.ErrnoException) => finish(() => reject(spawnError(binary, err))));
    child.once("close", (code, sig) => {
      if (onLine && pending) onLine(pending);
      const exitCode = code ?? 128 + (sig === "SIGKILL" ? 9 : 15);
      if (isRuntimeFailure(exitCode, stderr)) {
        const why = runtimeErrorMessage(stderr) ?? stderr.trim();
        return finish(() => reject(new ExecError(`${label}: could not run it in the container: ${why}`, { exitCode })));
      }
      finish(() => resolve({ exitCode, output }));
    });
  });
}

function killExecProcess(pidFile: string | undefined): void {
  if (!pidFile) return;
  try {
    const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
    if (Number.isInteger(pid) && pid > 1) process.kill(pid, "SIGKILL");
  } catch {
    // Not written yet, or the process already ended.
  }
}
