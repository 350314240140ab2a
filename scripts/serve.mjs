// Isolab's HTTP server: Next.js behind our own listener, so that we decide
// the bind address (127.0.0.1 unless HOST says otherwise) and so that a
// SIGINT/SIGTERM stops every instance the supervisor started before exiting.
import { createServer } from "node:http";
import next from "next";

const dev = process.argv.includes("--dev");
const hostname = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const app = next({ dev, hostname, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => handle(req, res));
server.on("error", (err) => {
  console.error(`[isolab] cannot listen on ${hostname}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  console.log(`[isolab] listening on http://${hostname}:${port} (${dev ? "development" : "production"})`);
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
