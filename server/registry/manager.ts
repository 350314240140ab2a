import "server-only";
import { judgeRegistryUrl } from "@/lib/images/registry-policy";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { registryConfigYaml } from "@/lib/images/registry-config";
import type { RegistryStatus } from "@/lib/schemas/registry";
import { InvalidRequestError, MissingDependencyError } from "@/server/errors";
import { freePort } from "@/server/host/free-port";
import { createManagedDaemon, daemonPaths } from "@/server/host/managed-daemon";
import { RegistryUnavailableError } from "@/server/images/errors";
import { pingRegistry } from "./client";

// The registry Isolab pushes to and pulls from: Debian's `docker-registry`
// (Distribution 2.8), started on request on 127.0.0.1 at a free port with its
// data under <state>/registry/, or an existing one pointed at by URL. One
// per app (server/app/create-app.ts): stopped with it, and a registry an
// earlier run left behind (its pid file) is ended before a new one starts.
// The registry writes uploads under _uploads/ and links a tag only once a
// manifest is complete, so a push killed midway leaves the old tags intact.
// Starting, stopping and the pid file are server/host/managed-daemon.ts's.

export const REGISTRY_BINARY = "/usr/bin/docker-registry";
const READY_TIMEOUT_MS = 10_000;

export interface Endpoint {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** host:port as image references spell it. */
  host: string;
  /** Plain http / no TLS verification: only for a registry on this host. */
  insecure: boolean;
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

export function createRegistryManager(opts: RegistryManagerOptions) {
  const binary = opts.binary ?? REGISTRY_BINARY;
  const paths = daemonPaths(opts.stateDir, "registry", "config.yml");
  const { dataDir, configPath, logPath } = paths;

  const daemon = createManagedDaemon<Endpoint>({
    paths,
    requireInstalled() {
      if (!fs.existsSync(binary)) throw new MissingDependencyError("docker-registry", `The registry binary ${binary} is missing.`);
    },
    async prepare() {
      fs.mkdirSync(dataDir, { recursive: true });
      const port = await freePort();
      fs.writeFileSync(configPath, registryConfigYaml({ dataDir, port, secret: randomBytes(16).toString("hex") }), { mode: 0o600 });
      return { binary, args: ["serve", configPath], port };
    },
    probe: pingRegistry,
    readyTimeoutMs: READY_TIMEOUT_MS,
    probeEveryMs: 50,
    Unavailable: RegistryUnavailableError,
    texts: {
      none: "no registry: start Isolab's own or give the URL of one",
      leftover: (pid) => `registry pid ${pid}`,
      notUp: (url, exited, tail) => `The registry did not come up on ${url}${exited ? " (it exited)" : ""}: ${tail}`,
      exitedOnItsOwn: (pid) => `the registry (pid ${pid}) exited on its own; see ${logPath}`,
      externalDropped: "no longer using the external registry",
    },
  });

  function endpoint(): Endpoint {
    const managed = daemon.managed();
    if (managed) return { url: managed.url, host: `127.0.0.1:${managed.port}`, insecure: true };
    const external = daemon.external();
    if (external) return external;
    throw new RegistryUnavailableError("No registry is running: start Isolab's own (POST /api/registry/start, or the Registry page) or give the URL of one.");
  }

  async function status(): Promise<RegistryStatus> {
    const { mode, managed, note } = daemon.check();
    const ep = mode === "stopped" ? null : endpoint();
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
    await daemon.start();
    return status();
  }

  /** Idempotent: a stopped registry stays stopped; the data directory is kept. */
  async function stop(): Promise<RegistryStatus> {
    await daemon.stop();
    return status();
  }

  async function useUrl(url: string): Promise<RegistryStatus> {
    await daemon.use(endpointFor(url));
    return status();
  }

  return { start, stop, status, useUrl, endpoint, reconcile: daemon.reconcile, paths };
}
