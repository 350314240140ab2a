import "server-only";
import { spawn, type StdioOptions } from "node:child_process";
import path from "node:path";
import { MissingDependencyError } from "@/server/errors";

// One runtime CLI invocation, argument array only (never a shell string).

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What one runtime call may print on each stream. runc's answers (state,
 * list, errors) are kilobytes; a runtime printing more is broken, and its
 * output is refused whole rather than truncated into JSON that half-parses.
 */
export const MAX_CLI_OUTPUT_CHARS = 4 * 2 ** 20;

export function runCli(binary: string, args: string[], stdio?: StdioOptions, maxOutputChars = MAX_CLI_OUTPUT_CHARS): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: stdio ?? ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let overflow = false;
    const collect = (append: (c: string) => void) => (c: string) => {
      if (overflow) return;
      append(c);
      if (stdout.length + stderr.length > maxOutputChars) {
        overflow = true;
        child.kill("SIGKILL");
      }
    };
    child.stdout?.setEncoding("utf8").on(
      "data",
      collect((c) => (stdout += c)),
    );
    child.stderr?.setEncoding("utf8").on(
      "data",
      collect((c) => (stderr += c)),
    );
    child.once("error", (err: NodeJS.ErrnoException) => reject(spawnError(binary, err)));
    // "close" waits for the pipes to drain; with file descriptors as stdio
    // (create, run -d) there are none and it fires right after "exit".
    child.once("close", (code, signal) => {
      if (overflow) {
        reject(
          new Error(
            `\`${[path.basename(binary), args[0]].filter(Boolean).join(" ")}\` printed more than ${maxOutputChars} characters; it was stopped and its output dropped.`,
          ),
        );
        return;
      }
      resolve({ code: code ?? 128 + (signal === "SIGKILL" ? 9 : 15), stdout, stderr });
    });
  });
}

export function spawnError(binary: string, err: NodeJS.ErrnoException): Error {
  if (err.code === "ENOENT") {
    const where = binary.includes("/") ? "" : " on PATH";
    return new MissingDependencyError(path.basename(binary), `The OCI runtime \`${binary}\` was not found${where}.`);
  }
  return err;
}

/**
 * runc logs its own failures as logfmt (`time="…" level=error msg="…"`) on
 * stderr; crun prints `crun: …`. Returns the last such message, or null when
 * the text holds none (then the output came from the container's program).
 */
export function runtimeErrorMessage(text: string): string | null {
  let found: string | null = null;
  for (const line of text.split("\n")) {
    const logfmt = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (logfmt?.[1] !== undefined) found = logfmt[1].replace(/\\(.)/g, "$1");
    else if (/^crun: /.test(line)) found = line.slice("crun: ".length).trim();
  }
  return found;
}

/** The last non-empty line, for errors that carry no recognisable runtime message. */
export function lastLine(text: string): string {
  return text.trim().split("\n").pop()?.trim() ?? "";
}

/** `runc version 1.1.5+ds1` / `crun version 1.8.1` → the version. */
export function parseVersionOutput(text: string): string | null {
  return /\bversion\s+(\S+)/.exec(text)?.[1] ?? null;
}

/** Messages meaning "that container is already gone", which stop/cleanup treat as done. */
export function meansGone(message: string): boolean {
  return /does not exist|not found|no such container|not running|process already finished|container .* is not running/i.test(message);
}
