import "server-only";
import fs from "node:fs";
import { ExecError } from "@/server/errors";
import type { EngineExecResult } from "@/server/engine/contract";
import { runCommand } from "@/server/host/run-command";
import { runtimeErrorMessage, spawnError } from "./cli";
import type { RuntimeExecOptions } from "./runtime";

// `runc exec`: streams stdout lines to onLine, and on timeout or abort kills
// the process *inside* the container (its host pid comes from --pid-file);
// killing only the runc CLI would leave the workload running.

const CLI_KILL_GRACE_MS = 2000;

export async function execInContainer(
  binary: string,
  cliArgs: string[],
  opts: RuntimeExecOptions & {
    /** What was asked to run, for error messages. */
    label: string;
    isRuntimeFailure: (exitCode: number, stderr: string) => boolean;
  },
): Promise<EngineExecResult> {
  const { timeoutMs = 60_000, onLine, signal, pidFile, label, isRuntimeFailure } = opts;
  const r = await runCommand(binary, cliArgs, {
    timeoutMs,
    onLine,
    signal,
    label,
    onAbandon: () => killExecProcess(pidFile),
    // runc forwards SIGTERM to the process, in case the pid file was not written yet.
    abandonSignal: "SIGTERM",
    killGraceMs: CLI_KILL_GRACE_MS,
    spawnError: (err) => spawnError(binary, err),
  });
  if (isRuntimeFailure(r.exitCode, r.stderr)) {
    const why = runtimeErrorMessage(r.stderr) ?? r.stderr.trim();
    throw new ExecError(`${label}: could not run it in the container: ${why}`, { exitCode: r.exitCode });
  }
  return { exitCode: r.exitCode, output: r.output };
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
