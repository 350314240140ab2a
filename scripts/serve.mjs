// Isolab's HTTP server: Next.js behind our own listener, so that we decide
// the bind address (127.0.0.1 unless HOST says otherwise), so that every
// request passes one gate before Next.js sees it (lib/http/gate.ts: Host,
// same-origin, content types, body size; the SSE stream and upgrades too),
// so that it speaks TLS whenever it is reachable beyond loopback
// (scripts/serve/tls.ts), so that every state-changing request leaves an
// audit row (scripts/serve/audit.ts), and so that a SIGINT/SIGTERM stops
// every instance the supervisor started before exiting.
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
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
const { prepareTls } = await tsImport("./serve/tls.ts", import.meta.url);
const { createAuditHook } = await tsImport("./serve/audit.ts", import.meta.url);
let policy;
let tls;
try {
  // Beyond loopback without a certificate this refuses to start, saying what to set.
  tls = await prepareTls(process.env, hostname);
  policy = loadGatePolicy(process.env, { host: hostname, port, tls: tls !== undefined });
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

const app = next({ dev, hostname, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

// The app (server/app/index.ts keeps it under this key) holds the audit log.
const audit = createAuditHook(() => globalThis[Symbol.for("isolab.app")]?.audit);

// Under TLS, req.socket.encrypted is true: the sign-in layer marks its cookie Secure by it.
const createListener = tls ? (handler) => createTlsServer(tls.options, handler) : createServer;

const server = createListener((req, res) => {
  const verdict = judgeRequest(requestFacts(req), policy);
  audit.watch(req, res, verdict);
  if (!verdict.allow) return refuse(res, verdict);
  return handle(req, res);
});
// Upgrades (Next's dev HMR today, WebSockets later) reach listeners Next adds
// itself; refusing them here, before any listener runs, keeps one gate.
const emit = server.emit.bind(server);
server.emit = (event, ...args) => {
  if (event !== "upgrade") return emit(event, ...args);
  const [req, socket] = args;
  const verdict = judgeRequest(requestFacts(req, true), policy);
  audit.watchUpgrade(req, socket, verdict);
  if (verdict.allow) return emit(event, ...args);
  const body = `${verdict.message}\n`;
  socket.end(
    `HTTP/1.1 ${verdict.status} Refused\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  return true;
};
server.on("error", (err) => {
  console.error(`[isolab] cannot listen on ${hostname}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  const scheme = tls ? "https" : "http";
  console.log(`[isolab] listening on ${scheme}://${hostname}:${port} (${dev ? "development" : "production"})`);
  console.log(`[isolab] answering to ${policy.allowedHosts.join(", ")}`);
  if (tls) {
    for (const note of tls.notes) console.log(`[isolab] TLS: ${note}`);
    console.log(`[isolab] TLS certificate ${tls.certPath}`);
    console.log(`[isolab] TLS SHA-256 fingerprint ${tls.fingerprint256}`);
    console.log("[isolab] compare it with what your browser shows before you trust the certificate");
  }
  if (bindsBeyondLoopback(hostname)) {
    // TLS keeps the traffic private; it does not decide who may act. Until sign-in lands, say so.
    console.warn(`[isolab] WARNING: HOST=${hostname} and no sign-in yet: anyone who reaches this port holds this host (Isolab runs as root).`);
  }
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[isolab] ${signal}: stopping every instance…`);
  // The app the server built (server/app/index.ts keeps it under this key);
  // its shutdown() stops experiments, instances, the registry, the sampler
  // and the database, in that order (server/app/create-app.ts).
  const app = globalThis[Symbol.for("isolab.app")];
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
