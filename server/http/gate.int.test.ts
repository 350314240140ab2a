import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_BODY_BYTES } from "@/lib/http/gate";
import { MAX_EVENT_STREAMS } from "@/server/metrics/event-stream";

// The real server (scripts/serve.mjs: the production build when there is
// one, else development mode) against the attacks measured on it before the
// gate: each must now be refused, while the dashboard's own requests and
// Origin-less clients (curl, the CLI, Playwright's request) still pass.

const root = path.resolve(__dirname, "../..");
let server: ChildProcess;
let port: number;
let stateDir: string;
let log = "";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(method: string, urlPath: string, opts: { headers?: Record<string, string>; body?: string | Buffer; chunks?: Buffer[] } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, headers: { host: `127.0.0.1:${port}`, ...opts.headers }, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // A refused body may be cut off mid-send: the answer is what counts.
    req.on("error", reject);
    if (opts.chunks) for (const c of opts.chunks) req.write(c);
    req.end(opts.body);
  });
}

/** Sends only the headers (a body announced, none sent) and answers the status: the gate judges before any body arrives. */
function headersOnly(method: string, urlPath: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers: { host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      req.destroy();
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port: p } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return p;
}

beforeAll(async () => {
  port = await freePort();
  stateDir = mkdtempSync(path.join(os.tmpdir(), "isolab-gate-"));
  const dev = !existsSync(path.join(root, ".next", "BUILD_ID"));
  server = spawn(process.execPath, ["scripts/serve.mjs", ...(dev ? ["--dev"] : [])], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", ISOLAB_STATE_DIR: stateDir, NODE_ENV: dev ? "development" : "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (c) => (log += c));
  server.stderr?.on("data", (c) => (log += c));
  for (let i = 0; ; i++) {
    const ok = await send("GET", "/api/host").then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (i > 240 || server.exitCode !== null) throw new Error(`the server did not answer:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

async function instanceCount(): Promise<number> {
  return (JSON.parse((await send("GET", "/api/instances")).body) as { instances: unknown[] }).instances.length;
}

describe("the gate, on the real server", () => {
  it("refuses a no-preflight cross-site POST (text/plain from evil.example) and starts nothing", async () => {
    const before = await instanceCount();
    const r = await send("POST", "/api/instances", { headers: { "content-type": "text/plain", origin: "http://evil.example" }, body: '{"kind":"container"}' });
    expect(r.status).toBe(403);
    expect(r.body).toContain("evil.example");
    expect(await instanceCount()).toBe(before);
  });

  it("refuses a foreign Host (DNS rebinding), for writes and for reads", async () => {
    const host = `rebind.evil.example:${port}`;
    const write = await send("POST", "/api/instances", { headers: { host, "content-type": "application/json" }, body: '{"kind":"container"}' });
    expect(write.status).toBe(421);
    const read = await send("GET", "/api/host", { headers: { host } });
    expect(read.status).toBe(421);
    expect(read.body).toContain(`127.0.0.1:${port}`);
    expect(read.body).toContain("ISOLAB_ALLOWED_HOSTS");
  });

  it("refuses a same-origin body that is not JSON (415)", async () => {
    const r = await send("POST", "/api/instances", { headers: { "content-type": "text/plain", origin: `http://127.0.0.1:${port}` }, body: "{}" });
    expect(r.status).toBe(415);
  });

  it("refuses an oversized JSON body by its length (413) and a streamed one while it is read (413)", async () => {
    const big = Buffer.alloc(2 * MAX_JSON_BODY_BYTES, 0x20);
    expect(await headersOnly("POST", "/api/instances", { "content-type": "application/json", "content-length": String(big.length) })).toBe(413);
    const streamed = await send("POST", "/api/instances", { headers: { "content-type": "application/json", "transfer-encoding": "chunked" }, chunks: [big] });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error).toContain(`${MAX_JSON_BODY_BYTES} bytes`);
  });

  it("lets the dashboard's own requests and Origin-less clients through to the routes", async () => {
    expect((await send("GET", "/", { headers: { host: `localhost:${port}` } })).status).toBe(200);
    const own = await send("POST", "/api/experiments", {
      headers: { "content-type": "application/json", origin: `http://127.0.0.1:${port}`, "sec-fetch-site": "same-origin" },
      body: '{"type":"no-such-type"}',
    });
    expect(own.status).toBe(422); // the route's own answer: the gate let it in
    const script = await send("POST", "/api/experiments", { headers: { "content-type": "application/json" }, body: '{"type":"no-such-type"}' });
    expect(script.status).toBe(422);
    expect((await send("DELETE", "/api/instances/no-such-id", { headers: { origin: `http://localhost:${port}` } })).status).toBe(404);
  });

  it(`serves at most ${MAX_EVENT_STREAMS} live streams, then 503 with Retry-After`, async () => {
    const open: http.ClientRequest[] = [];
    const opened = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.get({ host: "127.0.0.1", port, path: "/api/stream", headers: { host: `127.0.0.1:${port}` }, agent: false }, (res) => {
          resolve(res.statusCode ?? 0);
          if (res.statusCode !== 200) res.resume();
        });
        req.on("error", reject);
        open.push(req);
      });
    try {
      const statuses = [];
      for (let i = 0; i < MAX_EVENT_STREAMS; i++) statuses.push(await opened());
      expect(statuses.every((s) => s === 200)).toBe(true);
      const refused = await send("GET", "/api/stream");
      expect(refused.status).toBe(503);
      expect(refused.headers["retry-after"]).toBeDefined();
    } finally {
      for (const req of open) req.destroy();
    }
  });
});
