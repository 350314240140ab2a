import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../server/host/free-port";
import { removeTemplateRam, shmDirOf } from "./template-ram";

// A real Isolab server (scripts/serve.mjs: the production build when there is
// one, else development mode) on a loopback port of its own with a state
// directory of its own, for the tests that need more than one host (the
// fleet's integration test and its Playwright spec). Each request carries
// the admin token the server wrote at first start, once sign-in exists.

const root = path.resolve(__dirname, "../..");

/** `Authorization: Bearer <stateDir>/admin-token` when that file exists (sign-in is on), else nothing. */
export function authHeaders(stateDir: string): Record<string, string> {
  const file = path.join(stateDir, "admin-token");
  return fs.existsSync(file) ? { authorization: `Bearer ${fs.readFileSync(file, "utf8").trim()}` } : {};
}

export interface IsolabServer {
  url: string;
  port: number;
  stateDir: string;
  /** JSON in, JSON out, with the admin token; throws on a non-2xx answer with the server's message. */
  api<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T>;
  /** SIGTERM (serve.mjs runs app.shutdown: instances, Prometheus, registry) and waits for the exit. */
  stop(): Promise<void>;
  /** stop() and remove the state directory, with its templates' RAM files on /dev/shm. */
  dispose(): Promise<void>;
  log(): string;
}

export async function startIsolabServer(opts: { env?: Record<string, string>; stateDir?: string; readyTimeoutMs?: number } = {}): Promise<IsolabServer> {
  const port = await freePort();
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "isolab-fleet-"));
  const dev = !fs.existsSync(path.join(root, ".next", "BUILD_ID"));
  const child: ChildProcess = spawn(process.execPath, ["scripts/serve.mjs", ...(dev ? ["--dev"] : [])], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", ISOLAB_STATE_DIR: stateDir, NODE_ENV: dev ? "development" : "production", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (c) => (log += c));
  child.stderr?.on("data", (c) => (log += c));
  const url = `http://127.0.0.1:${port}`;

  async function api<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const res = await fetch(`${url}${urlPath}`, {
      method,
      headers: { ...authHeaders(stateDir), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${urlPath} answered ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  let exited: Promise<void> | null = new Promise((r) => child.once("exit", () => r()));
  async function stop() {
    if (!exited) return;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    exited = null;
  }

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  for (;;) {
    const ok = await api("GET", "/api/host").then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the server on ${url} did not answer:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    port,
    stateDir,
    api,
    stop,
    async dispose() {
      await stop();
      removeTemplateRam(stateDir, shmDirOf({ ...process.env, ...opts.env }));
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
    log: () => log,
  };
}
