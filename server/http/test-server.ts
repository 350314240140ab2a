import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { startServe, waitUntil } from "./serve-process";

// The real server (started by serve-process.ts: the production build when
// there is one, else development mode) for integration tests over HTTP and
// WebSockets. When a sign-in is in force, `<stateDir>/admin-token` holds the
// admin's token and every request carries it as a bearer token.

export interface RealServer {
  port: number;
  stateDir: string;
  /** `Authorization: Bearer <token>` when `<stateDir>/admin-token` exists, else nothing. */
  authHeaders(): Record<string, string>;
  request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }>;
  log(): string;
  stop(): Promise<void>;
}

export async function startRealServer(stateDir: string, env: Record<string, string> = {}): Promise<RealServer> {
  const server = await startServe({ ISOLAB_STATE_DIR: stateDir, ...env });
  const { port } = server;

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

  try {
    await waitUntil(server, async () => (await request("GET", "/api/host")).status === 200);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { port, stateDir, authHeaders, request, log: server.output, stop: server.stop };
}
