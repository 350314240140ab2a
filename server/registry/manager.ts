import "server-only";
import { judgeRegistryUrl } from "@/lib/images/registry-policy";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { registryConfigYaml } from "@/lib/images/registry-config";
import type { RegistryStatus } from "@/lib/schemas/registry";
import { InvalidRequestError, MissingDependencyError } from "@/server/errors";
import { RegistryUnavailableError } from "@/server/images/errors";
import { pingRegistry } from "./client";

// The registry Isolab pushes to and pulls from: Debian's `docker-registry`
// (Distribution 2.8), started on request on 127.0.0.1 at a free port with its
// data under <state>/registry/, or an existing one pointed at by URL. One
// per app (server/app/create-app.ts): stopped with it, and a registry an
// earlier run left behind (its pid file) is ended before a new one starts.
// The registry writes uploads under _uploads/ and links a tag only once a
// manifest is complete, so a push killed midway leaves the old tags intact.

export const REGISTRY_BINARY = "/usr/bin/docker-registry";
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5000;

export interface Endpoint {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** host:port as image references spell it. */
  host: string;
  /** Plain http / no TLS verification: only for a registry on this host. */
  insecure: boolean;
}

interface Managed {
  pid: number;
  port: number;
  startedAt: string;
}

export interface RegistryManagerOptions {
  stateDir: string;
  binary?: string;
}

export type RegistryManager = ReturnType<typeof createRegistryManager>;

/** The endpoint of a registry URL, refused (422, naming why) where the registry policy forbids it (lib/images/registry-policy.ts). */
export function endpointFor(urlText: string): Endpoint {
  const verdict = judgeRegistryUrl(urlText);
  if (!verdict.ok) throw new InvalidRequestError(`Isolab does not use the registry ${urlText}: ${verdict.reason}.`, { field: "url" });
  const u = new URL(urlText);
  return { url: `${u.protocol}//${u.host}`, host: u.host, insecure: verdict.loopback };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function createRegistryManager(opts: RegistryManagerOptions) {
  const binary = opts.binary ?? REGISTRY_BINARY;
  const dir = path.join(opts.stateDir, "registry");
  const dataDir = path.join(dir, "data");
  const configPath = path.join(dir, "config.yml");
  const pidFile = path.join(dir, "registry.pid");
  const logPath = path.join(dir, "registry.log");
  let managed: Managed | null = null;
  let external: Endpoint | null = null;
  let note = "no registry: start Isolab's own or give the URL of one";
  let reconciled = false;
  let starting: Promise<RegistryStatus> | null = null;

  /** Ends a registry an earlier run left (its pid file, checked against /proc/<pid>/cmdline). */
  function reconcile(): string[] {
    if (reconciled) return [];
    reconciled = true;
    const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8").trim() : "";
    fs.rmSync(pidFile, { force: true });
    const pid = Number(text);
    if (!Number.isInteger(pid) || pid <= 0) return [];
    const cmdline = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, "utf8") : "";
    if (!cmdline.includes(configPath)) return [];
    killGroup(pid, "SIGKILL");
    return [`registry pid ${pid}`];
  }

  function killGroup(pid: number, signal: NodeJS.Signals) {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // gone
      }
    }
  }

  function endpoint(): Endpoint {
    if (managed) return { url: `http://127.0.0.1:${managed.port}`, host: `127.0.0.1:${managed.port}`, insecure: true };
    if (external) return external;
    throw new RegistryUnavailableError("No registry is running: start Isolab's own (POST /api/registry/start, or the Registry page) or give the URL of one.");
  }

  async function status(): Promise<RegistryStatus> {
    const mode = managed ? "managed" : external ? "external" : "stopped";
    if (managed && !alive(managed.pid)) {
      note = `the registry (pid ${managed.pid}) exited on its own; see ${logPath}`;
      managed = null;
      return status();
    }
    const ep = managed || external ? endpoint() : null;
    const problem = ep ? await pingRegistry(ep.url) : null;
    return {
      mode,
      url: ep?.url ?? null,
      host: ep?.host ?? null,
      reachable: ep !== null && problem === null,
      pid: managed?.pid ?? null,
      dataDir: managed ? dataDir : null,
      startedAt: managed?.startedAt ?? null,
      note: problem ?? (ep ? `answers at ${ep.url}` : note),
    };
  }

  async function start(): Promise<RegistryStatus> {
    if (managed && alive(managed.pid)) return status();
    starting ??= (async () => {
      reconcile();
      if (!fs.existsSync(binary)) throw new MissingDependencyError("docker-registry", `The registry binary ${binary} is missing.`);
      external = null;
      fs.mkdirSync(dataDir, { recursive: true });
      const port = await freePort();
      fs.writeFileSync(configPath, registryConfigYaml({ dataDir, port, secret: randomBytes(16).toString("hex") }), { mode: 0o600 });
      const log = fs.openSync(logPath, "a");
      const child = spawn(binary, ["serve", configPath], { stdio: ["ignore", log, log], detached: true });
      fs.closeSync(log);
      const pid = child.pid;
      if (!pid) throw new RegistryUnavailableError(`${binary} could not be started.`);
      child.unref();
      let exited = false;
      child.once("exit", () => (exited = true));
      fs.writeFileSync(pidFile, String(pid));
      const deadline = Date.now() + READY_TIMEOUT_MS;
      const url = `http://127.0.0.1:${port}`;
      for (;;) {
        if ((await pingRegistry(url)) === null) break;
        if (exited || Date.now() > deadline) {
          killGroup(pid, "SIGKILL");
          fs.rmSync(pidFile, { force: true });
          const tail = fs.readFileSync(logPath, "utf8").trim().split("\n").slice(-5).join("\n");
          throw new RegistryUnavailableError(`The registry did not come up on ${url}${exited ? " (it exited)" : ""}: ${tail}`, { logTail: tail });
        }
        await sleep(50);
      }
      managed = { pid, port, startedAt: new Date().toISOString() };
      registerCleanup(pid);
      return status();
    })().finally(() => (starting = null));
    return starting;
  }

  /** Idempotent: a stopped registry stays stopped; the data directory is kept. */
  async function stop(): Promise<RegistryStatus> {
    if (starting) await starting.catch(() => {});
    if (managed) {
      const { pid } = managed;
      managed = null;
      killGroup(pid, "SIGTERM");
      const deadline = Date.now() + STOP_GRACE_MS;
      while (alive(pid) && Date.now() < deadline) await sleep(20);
      if (alive(pid)) killGroup(pid, "SIGKILL");
      fs.rmSync(pidFile, { force: true });
      note = "stopped by Isolab";
    }
    if (external) {
      external = null;
      note = "no longer using the external registry";
    }
    return status();
  }

  async function useUrl(url: string): Promise<RegistryStatus> {
    const ep = endpointFor(url);
    if (managed) await stop();
    external = ep;
    return status();
  }

  /** A server that exits any other way still takes its registry with it. */
  function registerCleanup(pid: number) {
    process.once("exit", () => {
      if (managed?.pid === pid) {
        killGroup(pid, "SIGKILL");
        fs.rmSync(pidFile, { force: true });
      }
    });
  }

  return { start, stop, status, useUrl, endpoint, reconcile, paths: { dir, dataDir, configPath, pidFile, logPath } };
}
