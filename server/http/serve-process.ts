import "server-only";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { freePort } from "@/server/host/free-port";
import path from "node:path";

// The real server (node scripts/serve.mjs) as integration tests start it:
// the production build when there is one, else development mode; its own
// port and state directory; its output kept for the failure message.

const root = path.resolve(__dirname, "../..");

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Everything it printed so far. */
  output: () => string;
  /** Resolves with its exit code. */
  exited: Promise<number | null>;
  /** SIGTERM and wait (it stops its instances first). */
  stop: () => Promise<void>;
}

export async function startServe(env: Record<string, string>, port?: number): Promise<ServeProcess> {
  const p = port ?? (await freePort());
  const dev = !existsSync(path.join(root, ".next", "BUILD_ID"));
  let log = "";
  const child = spawn(process.execPath, ["scripts/serve.mjs", ...(dev ? ["--dev"] : [])], {
    cwd: root,
    env: { ...process.env, PORT: String(p), HOST: "127.0.0.1", NODE_ENV: dev ? "development" : "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c) => (log += c));
  child.stderr?.on("data", (c) => (log += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    port: p,
    output: () => log,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Polls `probe` every half second until it is true; fails with the server's output if it exits or 2 minutes pass. */
export async function waitUntil(server: ServeProcess, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; ; i++) {
    if (await probe().catch(() => false)) return;
    if (i > 240 || server.child.exitCode !== null) throw new Error(`the server did not answer:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
