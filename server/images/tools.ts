import "server-only";
import { spawn } from "node:child_process";
import { MissingDependencyError } from "@/server/errors";
import { ImageToolError } from "./errors";

// umoci, skopeo and cpio, always with an argument array. Each runs in its own
// process group so a timeout or an abort (a cancelled upload, a shutdown)
// ends it and anything it started.

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Added to the server's environment (skopeo's TMPDIR, so its scratch space is in staging). */
  env?: Record<string, string>;
  /** Called with each child's pid right after spawn (tests kill a push midway). */
  onSpawn?: (pid: number) => void;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const MAX_CAPTURE = 256 * 1024;

export function runTool(binary: string, args: string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: opts.cwd,
      detached: true,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    let stdout = "";
    let stderr = "";
    let why: string | null = null;
    const kill = (reason: string) => {
      why ??= reason;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => kill(`timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => kill("cancelled");
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout = (stdout + c).slice(-MAX_CAPTURE)));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr = (stderr + c).slice(-MAX_CAPTURE)));
    if (child.pid) opts.onSpawn?.(child.pid);
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.once("error", (err: NodeJS.ErrnoException) => {
      done();
      reject(
        err.code === "ENOENT"
          ? new MissingDependencyError(binary, `\`${binary}\` is not installed.`)
          : new ImageToolError(`could not run ${binary}: ${err.message}`),
      );
    });
    child.once("close", (code, signal) => {
      done();
      if (why) return reject(new ImageToolError(`${binary} ${args[0] ?? ""}: ${why}`, { cancelled: why === "cancelled" }));
      resolve({ code: code ?? 128 + (signal === "SIGKILL" ? 9 : 15), stdout, stderr });
    });
  });
}

/**
 * The message a Go tool (skopeo, umoci) printed about its failure: the last
 * logfmt `msg="…"` of level error/fatal, else umoci's `⨯ …` line, else the
 * last line of stderr.
 */
export function toolMessage(stderr: string): string {
  let found: string | null = null;
  for (const line of stderr.split("\n")) {
    const logfmt = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (logfmt?.[1] !== undefined) found = logfmt[1].replace(/\\(.)/g, "$1");
    else if (/^\s*⨯\s/.test(line)) found = line.replace(/^\s*⨯\s+/, "").trim();
  }
  return found ?? stderr.trim().split("\n").pop()?.trim() ?? "";
}

/** Runs a tool and throws ImageToolError (with its own message) on a non-zero exit. */
export async function runToolOrThrow(binary: string, args: string[], what: string, opts?: ToolOptions): Promise<ToolResult> {
  const r = await runTool(binary, args, opts);
  if (r.code !== 0) {
    throw new ImageToolError(`${what} failed: ${toolMessage(r.stderr) || `${binary} exited with ${r.code}`}`, {
      tool: binary,
      exitCode: r.code,
      stderr: r.stderr.slice(-2000),
    });
  }
  return r;
}

// ── skopeo transports ────────────────────────────────────────────────────

export const transports = {
  ociLayout: (dir: string, ref: string) => `oci:${dir}:${ref}`,
  ociArchive: (file: string) => `oci-archive:${file}`,
  dockerArchive: (file: string) => `docker-archive:${file}`,
  registry: (host: string, repository: string, tag: string) => `docker://${host}/${repository}:${tag}`,
};

export interface CopyOptions extends ToolOptions {
  /** Plain http / no TLS verification: only for a registry on this host. */
  srcInsecure?: boolean;
  destInsecure?: boolean;
}

/**
 * `skopeo copy` keeping digests: the manifest bytes that arrive are the ones
 * that left, so a pushed and pulled image has the same digest (skopeo fails
 * instead of silently recompressing).
 */
export function skopeoCopy(src: string, dest: string, opts: CopyOptions = {}): Promise<ToolResult> {
  const args = ["copy", "--quiet", "--preserve-digests"];
  if (src.startsWith("docker://")) args.push(`--src-tls-verify=${opts.srcInsecure ? "false" : "true"}`);
  if (dest.startsWith("docker://")) args.push(`--dest-tls-verify=${opts.destInsecure ? "false" : "true"}`);
  return runTool("skopeo", [...args, src, dest], opts);
}

/** `skopeo copy` for conversions (docker-archive → OCI recompresses, so digests change by design). */
export function skopeoConvert(src: string, dest: string, opts: ToolOptions = {}): Promise<ToolResult> {
  return runTool("skopeo", ["copy", "--quiet", src, dest], opts);
}
