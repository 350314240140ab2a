// Isolab's HTTP server: Next.js behind our own listener, so that we decide
// the bind address (127.0.0.1 unless HOST says otherwise), so that every
// request passes one gate before Next.js sees it (lib/http/gate.ts: Host,
// same-origin, content types, body size; the SSE stream and upgrades too),
// and so that a SIGINT/SIGTERM stops every instance the supervisor started
// before exiting.
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
const { terminalUpgrades } = await import("./terminal-upgrade.mjs");
const terminalUpgrade = terminalUpgrades(await tsImport("../lib/terminal/protocol.ts", import.meta.url));
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

const app = next({ dev, hostname, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const verdict = judgeRequest(requestFacts(req), policy);
  if (!verdict.allow) return refuse(res, verdict);
  return handle(req, res);
});
// Upgrades (browser terminals, Next's dev HMR) reach listeners Next adds
// itself; refusing them here, before any listener runs, keeps one gate.
// A terminal's upgrade that passed is taken here and never reaches Next.
const emit = server.emit.bind(server);
server.emit = (event, ...args) => {
  if (event !== "upgrade") return emit(event, ...args);
  const [req, socket] = args;
  const verdict = judgeRequest(requestFacts(req, true), policy);
  if (verdict.allow) return terminalUpgrade(...args) || emit(event, ...args);
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
  console.log(`[isolab] listening on http://${hostname}:${port} (${dev ? "development" : "production"})`);
  console.log(`[isolab] answering to ${policy.allowedHosts.join(", ")}`);
  if (bindsBeyondLoopback(hostname)) {
    console.warn(
      [
        "",
        "[isolab] ************************************************************************",
        `[isolab] WARNING: HOST=${hostname} serves Isolab beyond this machine, and there is`,
        "[isolab] no sign-in yet. Isolab runs as root: anyone who can reach this port can",
        "[isolab] start containers and VMs, run commands in them and import archives —",
        "[isolab] they hold this host. Bind to 127.0.0.1 and use an SSH tunnel instead",
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
