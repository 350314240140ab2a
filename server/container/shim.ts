import "server-only";
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { spawnError, type CliResult } from "./cli";

// Runs a runtime command through isolab-shim (guest/shim/isolab-shim.c). The
// shim outlives the command: it adopts the container's init and waits for
// it. So the start does not wait for the shim to exit, but for the runtime's
// exit status, which the shim writes to the pipe on its fd 3 the moment the
// runtime exits.

const ANSWER_FD = 3;

/** argv: STATUS_FILE PID_FILE RUNTIME ARG...; the runtime's output goes to logFd. */
export function runThroughShim(shim: string, argv: string[], logFd: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // detached: its own session, so the server's Ctrl-C does not end the record of a container.
    const child = spawn(shim, argv, { stdio: ["ignore", logFd, logFd, "pipe"], detached: true });
    const exited = new Promise<number>((r) => child.once("exit", (code, signal) => r(code ?? 128 + (signal === "SIGKILL" ? 9 : 15))));
    child.once("error", (err: NodeJS.ErrnoException) => reject(spawnError(shim, err)));
    let answer = "";
    (child.stdio[ANSWER_FD] as Readable)
      .setEncoding("utf8")
      .on("data", (c: string) => (answer += c))
      .once("end", () => {
        const code = Number.parseInt(answer, 10);
        if (Number.isInteger(code)) {
          // It lives on until the init ends; the server need not wait for it.
          child.unref();
          resolve({ code, stdout: "", stderr: "" });
        } else {
          // The shim itself failed (its message is in the log): its exit code says how.
          void exited.then((c) => resolve({ code: c, stdout: "", stderr: "" }));
        }
      });
  });
}
