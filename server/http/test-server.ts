import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import path from "node:path";

// The real server (scripts/serve.mjs: the production build when there is
// one, else development mode) for integration tests over HTTP and
// WebSockets. When a sign-in is in force, `<stateDir>/admin-token` holds the
// admin's token and every request carries it as a bearer token.

const root = path.resolve(__dirname, "../..");

export interface RealServer {
  port: number;
  stateDir: string;
  /** `Authorization: Bearer <token>` when `<stateDir>/admin-token` exists, else nothing. */
  authHeaders(): Record<string, string>;
  request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }>;
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startRealServer(stateDir: string, env: Record<string, string> = {}): Promise<RealServer> {
  const port = await freePort();
  const dev = !fs.existsSync(path.join(root, ".next", "BUILD_ID"));
  let log = "";
  const child: ChildProcess = spawn(process.execPath, ["scripts/serve.mjs", ...(dev ? ["--dev"] : [])], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", ISOLAB_STATE_DIR: stateDir, NODE_ENV: dev ? "development" : "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c) => (log += c));
  child.stderr?.on("data", (c) => (log += c));

  const authHeaders = (): Record<string, string> => {
    const file = path.join(stateDir, "admin-token");
    return fs.existsSync(file) ? { authorization: `Bearer ${fs.readFileSync(file, "utf8").trim()}` } : {};
  };
  const request = (method: string, urlPath: string, body?: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          method,
          path: urlPath,
          agent: false,
          headers: { ...authHeaders(), ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (c: string) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });

  for (let i = 0; ; i++) {
    const ok = await request("GET", "/api/host").then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (i > 240 || child.exitCode !== null) throw new Error(`the server did not answer:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    port,
    stateDir,
    authHeaders,
    request,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
