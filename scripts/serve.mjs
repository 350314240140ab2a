// Isolab's HTTP server: Next.js behind our own listener, so that we decide
// the bind address (127.0.0.1 unless HOST says otherwise), so that every
// request passes one gate before Next.js sees it (lib/http/gate.ts: Host,
// same-origin, content types, body size; then who is asking and whether
// their role may: lib/auth/access.ts with the app's auth service; the SSE
// stream and upgrades too), and so that a SIGINT/SIGTERM stops every
// instance the supervisor started before exiting.
import { createServer } from "node:http";
import { tsImport } from "tsx/esm/api";
import next from "next";

const dev = process.argv.includes("--dev");
const hostname = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${process.env.PORT}"`);
  process.exit(2);
}

// The gate is TypeScript shared with its tests; tsx loads it (and zod) here.
const { judgeRequest } = await tsImport("../lib/http/gate.ts", import.meta.url);
const { loadGatePolicy, bindsBeyondLoopback } = await tsImport("../lib/http/gate-config.ts", import.meta.url);
const { judgeAccess, normalizePath } = await tsImport("../lib/auth/access.ts", import.meta.url);
let policy;
try {
  policy = loadGatePolicy(process.env, { host: hostname, port });
} catch (err) {
  console.error(`[isolab] ${err.message}`);
  process.exit(2);
}

/** The facts the gate judges, from the request's headers alone (nothing is read from the body). */
function requestFacts(req, upgrade = false) {
  const h = req.headers;
  const length = h["content-length"] === undefined ? undefined : Number(h["content-length"]);
  return {
    method: req.method ?? "GET",
    path: (req.url ?? "/").split("?")[0],
    host: h.host,
    origin: h.origin,
    secFetchSite: h["sec-fetch-site"],
    contentType: h["content-type"],
    contentLength: Number.isFinite(length) ? length : undefined,
    chunked: h["transfer-encoding"] !== undefined,
    upgrade,
  };
}

function refuse(res, verdict) {
  const body = `${verdict.message}\n`;
  res.writeHead(verdict.status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
}

/**
 * The app instrumentation built (server/app/index.ts keeps it under this
 * key). Its auth service is TypeScript behind "server-only", which plain
 * Node cannot import, so the server reaches it here rather than loading it.
 */
const isolabApp = () => globalThis[Symbol.for("isolab.app")];
let firstStartDone = false;
/** Once per process: an admin token when nobody could sign in, and the line that says how to (after the app exists). */
function firstStart() {
  const auth = isolabApp()?.auth;
  if (firstStartDone || !auth) return;
  firstStartDone = true;
  console.log(`[isolab] ${auth.firstStart().hint}`);
}

/**
 * After the gate: who is asking (a bearer token, else the session cookie)
 * and whether their role may do this. Answers the verdict, and on "pass"
 * marks the request with its principal: `req.isolabPrincipal` for code in
 * this process (audit, terminals) and, after every incoming `x-isolab-*`
 * header is removed, `x-isolab-principal`, `x-isolab-remote` and
 * `x-isolab-secure` for route handlers.
 */
function admit(req, upgrade = false) {
  const app = isolabApp();
  const path = normalizePath(req.url ?? "/");
  const h = req.headers;
  let found = {};
  if (app?.auth) found = app.auth.authenticate({ authorization: h.authorization, cookie: h.cookie });
  else if (h.authorization !== undefined || h.cookie !== undefined) found = { failure: "Isolab is still starting; try again in a moment." };
  const verdict = judgeAccess({
    method: req.method ?? "GET",
    path,
    url: req.url ?? "/",
    accept: h.accept,
    upgrade,
    principal: found.principal,
    failure: found.failure,
  });
  const from = req.socket.remoteAddress ?? "";
  if (verdict.kind === "refuse" && (verdict.status === 403 || h.authorization !== undefined)) {
    // The refusals that matter: a forbidden action, a bad or revoked token.
    app?.audit?.record({
      at: Date.now(),
      actor: found.principal?.name ?? "(unknown token)",
      role: found.principal?.role ?? "",
      action: `${upgrade ? "UPGRADE" : req.method} ${path}`,
      target: path,
      from,
      result: verdict.status,
      durationMs: 0,
      detail: verdict.error,
    });
  }
  if (verdict.kind !== "pass") return verdict;
  for (const name of Object.keys(h)) if (name.startsWith("x-isolab-")) delete h[name];
  const raw = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!req.rawHeaders[i].toLowerCase().startsWith("x-isolab-")) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const secure = req.socket.encrypted === true;
  const trusted = { "x-isolab-remote": from, "x-isolab-secure": secure ? "1" : "0" };
  if (verdict.principal) {
    req.isolabPrincipal = verdict.principal;
    trusted["x-isolab-principal"] = encodeURIComponent(JSON.stringify(verdict.principal));
  }
  for (const [name, value] of Object.entries(trusted)) {
    h[name] = value;
    raw.push(name, value);
  }
  req.rawHeaders = raw;
  return verdict;
}

function answer(res, verdict) {
  if (verdict.kind === "sign-in") {
    res.writeHead(303, { location: verdict.location, "content-length": 0 });
    return res.end();
  }
  const body = JSON.stringify({ error: verdict.error, ...(verdict.needed ? { needed: verdict.needed } : {}) });
  const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store" };
  if (verdict.status === 401) headers["www-authenticate"] = 'Bearer realm="isolab"';
  res.writeHead(verdict.status, headers);
  res.end(body);
}

const app = next({ dev, hostname, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();
firstStart();

const server = createServer((req, res) => {
  const verdict = judgeRequest(requestFacts(req), policy);
  if (!verdict.allow) return refuse(res, verdict);
  firstStart();
  const access = admit(req);
  if (access.kind !== "pass") return answer(res, access);
  return handle(req, res);
});
// Upgrades (Next's dev HMR today, WebSockets later) reach listeners Next adds
// itself; refusing them here, before any listener runs, keeps one gate.
const emit = server.emit.bind(server);
server.emit = (event, ...args) => {
  if (event !== "upgrade") return emit(event, ...args);
  const [req, socket] = args;
  const verdict = judgeRequest(requestFacts(req, true), policy);
  let refusal = verdict.allow ? undefined : { status: verdict.status, body: `${verdict.message}\n`, type: "text/plain; charset=utf-8" };
  if (!refusal) {
    const access = admit(req, true);
    if (access.kind === "pass") return emit(event, ...args);
    refusal = {
      status: access.kind === "refuse" ? access.status : 401,
      body: JSON.stringify({ error: access.error ?? "Sign in first." }),
      type: "application/json",
    };
  }
  socket.end(
    `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: ${refusal.type}\r\ncontent-length: ${Buffer.byteLength(refusal.body)}\r\nconnection: close\r\n\r\n${refusal.body}`,
  );
  return true;
};
server.on("error", (err) => {
  console.error(`[isolab] cannot listen on ${hostname}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  console.log(`[isolab] listening on http://${hostname}:${port} (${dev ? "development" : "production"})`);
  console.log(`[isolab] answering to ${policy.allowedHosts.join(", ")}`);
  if (bindsBeyondLoopback(hostname)) {
    console.warn(
      [
        "",
        "[isolab] ************************************************************************",
        `[isolab] WARNING: HOST=${hostname} serves Isolab beyond this machine over plain`,
        "[isolab] HTTP. Isolab runs as root: passwords, session cookies and API tokens",
        "[isolab] cross the network in the clear, and whoever reads one holds this host.",
        "[isolab] Bind to 127.0.0.1 and use an SSH tunnel instead",
        "[isolab] (see “Exposing Isolab” in the README).",
        "[isolab] ************************************************************************",
        "",
      ].join("\n"),
    );
  }
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[isolab] ${signal}: stopping every instance…`);
  // Its shutdown() stops experiments, instances, the registry, the sampler
  // and the database, in that order (server/app/create-app.ts).
  const app = isolabApp();
  const hardStop = setTimeout(() => process.exit(1), 30_000);
  try {
    await app?.shutdown();
  } catch (err) {
    console.error("[isolab] shutdown:", err);
  }
  clearTimeout(hardStop);
  server.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
