import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/server/host/free-port";
import { MAX_JSON_BODY_BYTES } from "@/lib/http/gate";
import { MAX_EVENT_STREAMS } from "@/server/metrics/event-stream";

// The real server (scripts/serve.mjs: the production build when there is
// one, else development mode) against the attacks measured on it before the
// gate: each must now be refused, while the dashboard's own requests and
// Origin-less clients (curl, the CLI, Playwright's request) still pass —
// signed in, as a user or a script would be: the admin token the first start
// wrote, accounts and tokens made with `npm run access`, session cookies.
// The server runs with ISOLAB_MAX_INSTANCES=3, so the caps are tested over HTTP.

const root = path.resolve(__dirname, "../..");
let server: ChildProcess;
let port: number;
let stateDir: string;
let log = "";
/** The first start's admin token, as a script reads it. */
let admin: Record<string, string>;
const MAX_INSTANCES = 3;

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

/** `npm run access -- ARGS` against the server's state directory; answers its stdout. */
function access(args: string[], input?: string): string {
  return execFileSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/access.ts", ...args], {
    cwd: root,
    env: { ...process.env, ISOLAB_STATE_DIR: stateDir },
    input,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  }).trim();
}

/** Signs in over HTTP and answers the Cookie header to send, with the Set-Cookie it came from. */
async function signIn(body: object): Promise<{ cookie: string; setCookie: string }> {
  const r = await send("POST", "/api/auth/sign-in", { headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(r.status, r.body).toBe(200);
  const setCookie = String(r.headers["set-cookie"]?.[0]);
  return { cookie: setCookie.split(";")[0], setCookie };
}

beforeAll(async () => {
  port = await freePort();
  stateDir = mkdtempSync(path.join(os.tmpdir(), "isolab-gate-"));
  const dev = !existsSync(path.join(root, ".next", "BUILD_ID"));
  server = spawn(process.execPath, ["scripts/serve.mjs", ...(dev ? ["--dev"] : [])], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      ISOLAB_STATE_DIR: stateDir,
      ISOLAB_MAX_INSTANCES: String(MAX_INSTANCES),
      NODE_ENV: dev ? "development" : "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (c) => (log += c));
  server.stderr?.on("data", (c) => (log += c));
  const tokenFile = path.join(stateDir, "admin-token");
  for (let i = 0; ; i++) {
    const ok =
      existsSync(tokenFile) &&
      (await send("GET", "/api/host", { headers: { authorization: `Bearer ${readFileSync(tokenFile, "utf8").trim()}` } }).then(
        (r) => r.status === 200,
        () => false,
      ));
    if (ok) break;
    if (i > 240 || server.exitCode !== null) throw new Error(`the server did not answer:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  admin = { authorization: `Bearer ${readFileSync(tokenFile, "utf8").trim()}` };
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
  return (JSON.parse((await send("GET", "/api/instances", { headers: admin })).body) as { instances: unknown[] }).instances.length;
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
    const streamed = await send("POST", "/api/instances", {
      headers: { ...admin, "content-type": "application/json", "transfer-encoding": "chunked" },
      chunks: [big],
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error).toContain(`${MAX_JSON_BODY_BYTES} bytes`);
  });

  it("lets the dashboard's own requests and Origin-less clients through to the routes", async () => {
    const { cookie } = await signIn({ token: admin.authorization.slice("Bearer ".length) });
    expect((await send("GET", "/", { headers: { host: `localhost:${port}`, cookie } })).status).toBe(200);
    const own = await send("POST", "/api/experiments", {
      headers: { cookie, "content-type": "application/json", origin: `http://127.0.0.1:${port}`, "sec-fetch-site": "same-origin" },
      body: '{"type":"no-such-type"}',
    });
    expect(own.status).toBe(422); // the route's own answer: the gate let it in
    const script = await send("POST", "/api/experiments", { headers: { ...admin, "content-type": "application/json" }, body: '{"type":"no-such-type"}' });
    expect(script.status).toBe(422);
    expect((await send("DELETE", "/api/instances/no-such-id", { headers: { ...admin, origin: `http://localhost:${port}` } })).status).toBe(404);
  });

  it(`serves at most ${MAX_EVENT_STREAMS} live streams, then 503 with Retry-After`, async () => {
    const open: http.ClientRequest[] = [];
    const opened = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.get({ host: "127.0.0.1", port, path: "/api/stream", headers: { ...admin, host: `127.0.0.1:${port}` }, agent: false }, (res) => {
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
      const refused = await send("GET", "/api/stream", { headers: admin });
      expect(refused.status).toBe(503);
      expect(refused.headers["retry-after"]).toBeDefined();
    } finally {
      for (const req of open) req.destroy();
    }
  });
});

interface Started {
  status: number;
  id?: string;
}

/** Starts a bare process (the cheapest real instance) and answers the status and the id. */
async function startProcess(headers: Record<string, string>, name?: string): Promise<Started> {
  const r = await send("POST", "/api/instances", {
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ kind: "process", name }),
  });
  return { status: r.status, id: r.status === 201 ? (JSON.parse(r.body) as { id: string }).id : undefined };
}

async function removeAll(ids: (string | undefined)[]): Promise<void> {
  for (const id of ids) if (id) expect((await send("DELETE", `/api/instances/${id}`, { headers: admin })).status).toBe(204);
}

describe("sign-in, sessions, tokens and roles, on the real server", () => {
  it("answers a request without credentials: 401 JSON naming both ways in for the API, the sign-in page for a page", async () => {
    const api = await send("GET", "/api/instances");
    expect(api.status).toBe(401);
    expect(api.headers["www-authenticate"]).toContain("Bearer");
    expect(JSON.parse(api.body).error).toMatch(/Authorization: Bearer <token>.*admin-token/);
    const page = await send("GET", "/instances/abc?x=1", { headers: { accept: "text/html" } });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe("/sign-in?next=%2Finstances%2Fabc%3Fx%3D1");
    expect((await send("GET", "/sign-in", { headers: { accept: "text/html" } })).status).toBe(200);
    expect((await send("GET", "/api/stream")).status).toBe(401);
  });

  it("signs an account in with an HttpOnly SameSite=Strict cookie (not Secure over plain HTTP), and sign-out ends the session", async () => {
    access(["user", "add", "vera", "--role", "viewer"], "vera's password\n");
    const wrong = await send("POST", "/api/auth/sign-in", { headers: { "content-type": "application/json" }, body: '{"username":"vera","password":"nope"}' });
    expect(wrong.status).toBe(401);
    const { cookie, setCookie } = await signIn({ username: "vera", password: "vera's password" });
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toMatch(/Secure/i);
    expect(JSON.parse((await send("GET", "/api/me", { headers: { cookie } })).body)).toEqual({ name: "vera", role: "viewer", via: "session" });
    expect((await send("POST", "/api/auth/sign-out", { headers: { cookie } })).status).toBe(204);
    const after = await send("GET", "/api/me", { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(JSON.parse(after.body).error).toContain("signed out");
  });

  it("refuses a role below the one needed with 403 naming it, and starts nothing", async () => {
    const { cookie } = await signIn({ username: "vera", password: "vera's password" });
    const before = await instanceCount();
    const r = await send("POST", "/api/instances", {
      headers: { cookie, "content-type": "application/json", origin: `http://127.0.0.1:${port}` },
      body: '{"kind":"process"}',
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ needed: "operator", error: expect.stringContaining("needs the operator role") });
    expect(await instanceCount()).toBe(before);
    expect((await send("GET", "/api/instances", { headers: { cookie } })).status).toBe(200);
    const operator = access(["token", "create", "ops", "--role", "operator"]);
    const tokens = await send("GET", "/api/access/tokens", { headers: { authorization: `Bearer ${operator}` } });
    expect(tokens.status).toBe(403);
    expect(JSON.parse(tokens.body).needed).toBe("admin");
    // A privileged container is root on the host: an operator's request is refused by the route, naming admin.
    const privileged = await send("POST", "/api/instances", {
      headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
      body: '{"kind":"container","privileged":true}',
    });
    expect(privileged.status).toBe(403);
    expect(JSON.parse(privileged.body).error).toContain("needs the admin role");
    expect(await instanceCount()).toBe(before);
  });

  it("accepts a token on every route, pages included, until it is revoked (401)", async () => {
    const created = await send("POST", "/api/access/tokens", {
      headers: { ...admin, "content-type": "application/json" },
      body: '{"name":"ci","role":"viewer"}',
    });
    expect(created.status).toBe(201);
    const { info, token } = JSON.parse(created.body) as { info: { id: string }; token: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await send("GET", "/", { headers: { ...bearer, accept: "text/html" } })).status).toBe(200);
    expect((await send("GET", "/api/host", { headers: bearer })).status).toBe(200);
    const listed = JSON.parse((await send("GET", "/api/access/tokens", { headers: admin })).body) as { tokens: { id: string }[] };
    expect(listed.tokens.map((t) => t.id)).toContain(info.id);
    expect(listed.tokens.map((t) => JSON.stringify(t)).join()).not.toContain(token);
    expect((await send("DELETE", `/api/access/tokens/${info.id}`, { headers: admin })).status).toBe(204);
    const revoked = await send("GET", "/api/host", { headers: bearer });
    expect(revoked.status).toBe(401);
    expect(JSON.parse(revoked.body).error).toContain("revoked");
  });

  it("judges upgrades the same way: 401 without credentials, 403 naming operator for a viewer's terminal", async () => {
    const upgrade = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({
          host: "127.0.0.1",
          port,
          path: "/ws/terminal/abc",
          headers: { host: `127.0.0.1:${port}`, connection: "Upgrade", upgrade: "websocket", ...headers },
          agent: false,
        });
        req.on("response", (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (c: string) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("upgrade", (_res, socket) => {
          socket.destroy();
          resolve({ status: 101, body: "" });
        });
        req.on("error", reject);
        req.end();
      });
    expect((await upgrade({})).status).toBe(401);
    const viewer = access(["token", "create", "watcher", "--role", "viewer"]);
    const refused = await upgrade({ authorization: `Bearer ${viewer}` });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toContain("needs the operator role");
  });

  it("rate-limits failed sign-ins per account: 429 with Retry-After, even for the right password", async () => {
    access(["user", "add", "rita", "--role", "operator"], "rita's password\n");
    for (let i = 0; i < 5; i++) {
      const r = await send("POST", "/api/auth/sign-in", { headers: { "content-type": "application/json" }, body: '{"username":"rita","password":"guess"}' });
      expect(r.status).toBe(401);
    }
    const limited = await send("POST", "/api/auth/sign-in", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "rita", password: "rita's password" }),
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("refuses a cross-origin POST (text/plain and JSON) and a foreign Host even with a session, while the dashboard's own origin starts", async () => {
    access(["user", "add", "otto", "--role", "operator"], "otto's password\n");
    const { cookie } = await signIn({ username: "otto", password: "otto's password" });
    const before = await instanceCount();
    const body = '{"kind":"process"}';
    for (const type of ["text/plain", "application/json"]) {
      const r = await send("POST", "/api/instances", { headers: { cookie, "content-type": type, origin: "http://evil.example" }, body });
      expect(r.status).toBe(403);
    }
    const rebound = await send("POST", "/api/instances", {
      headers: { cookie, host: `rebind.evil.example:${port}`, "content-type": "application/json" },
      body,
    });
    expect(rebound.status).toBe(421);
    expect(await instanceCount()).toBe(before);
    const own = await send("POST", "/api/instances", {
      headers: { cookie, "content-type": "application/json", origin: `http://127.0.0.1:${port}`, "sec-fetch-site": "same-origin" },
      body,
    });
    expect(own.status, own.body).toBe(201);
    expect(await instanceCount()).toBe(before + 1);
    await removeAll([(JSON.parse(own.body) as { id: string }).id]);
  });
});

describe("the caps over HTTP (ISOLAB_MAX_INSTANCES=3)", () => {
  it(`lets exactly ${MAX_INSTANCES} of 10 parallel starts through (201) and refuses the rest (429)`, async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => startProcess(admin)));
    try {
      expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_INSTANCES);
      expect(results.filter((r) => r.status === 429)).toHaveLength(10 - MAX_INSTANCES);
      expect(await instanceCount()).toBe(MAX_INSTANCES);
    } finally {
      await removeAll(results.map((r) => r.id));
    }
  });

  it("lets one of five parallel starts with one name through; the others are 409", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => startProcess(admin, "twin")));
    try {
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(4);
    } finally {
      await removeAll(results.map((r) => r.id));
    }
  });
});
