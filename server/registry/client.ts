import "server-only";
import { MEDIA_TYPES } from "@/lib/schemas/oci-image";
import { parseRegistryJson, registryErrorCode, RegistryCatalogSchema, RegistryTagListSchema } from "@/lib/schemas/registry";
import { RegistryError, TagNotFoundError } from "@/server/images/errors";
import { registryRequest, type RegistryResponse } from "./http";

// The Distribution registry's HTTP API v2, the few calls Isolab makes:
// GET /v2/ (is it there), /v2/_catalog, /v2/<name>/tags/list, and HEAD of a
// manifest (its digest). Every answer is parsed with zod; a refused
// connection is RegistryUnavailableError, an unknown name or tag
// TagNotFoundError. Requests go through http.ts: no link-local or metadata
// address, no redirect off the registry's host, TLS verified except on
// loopback, and no byte of an answer in an error message.

const TIMEOUT_MS = 5000;
const ACCEPT_MANIFESTS = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList].join(", ");

const ok = (res: RegistryResponse) => res.status >= 200 && res.status < 300;

function request(base: string, pathname: string, init: { method?: "GET" | "HEAD"; headers?: Record<string, string> } = {}): Promise<RegistryResponse> {
  return registryRequest(base, pathname, { ...init, timeoutMs: TIMEOUT_MS });
}

/**
 * Throws when Isolab may not talk to this registry or it does not answer
 * (refused address, redirect off its host, untrusted TLS, no connection);
 * any HTTP status passes (a 401 is a registry asking for a login).
 */
export async function checkRegistry(base: string): Promise<void> {
  await request(base, "/v2/");
}

/** null when it answers GET /v2/ with 200, else why not. */
export async function pingRegistry(base: string): Promise<string | null> {
  try {
    const res = await request(base, "/v2/");
    return ok(res) ? null : `GET /v2/ answered ${res.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The answer parsed; its bytes never reach the message (they are the registry's, not Isolab's). */
function readJson<T>(res: RegistryResponse, what: string, parse: (text: string) => T | null): T {
  const value = parse(res.text);
  if (value === null) {
    throw new RegistryError(
      `The registry's answer to ${what} (${res.status}, ${res.text.length} bytes) is not what the API v2 describes; is ${new URL(res.url).origin} a registry?`,
    );
  }
  return value;
}

/** An API v2 error code ("NAME_UNKNOWN"), only when it looks like one. */
function errorCode(text: string): string | null {
  const code = registryErrorCode(text);
  return code && /^[A-Z_]{1,40}$/.test(code) ? code : null;
}

export async function listRepositories(base: string): Promise<string[]> {
  const res = await request(base, "/v2/_catalog?n=1000");
  if (!ok(res)) throw new RegistryError(`GET /v2/_catalog answered ${res.status}.`);
  return readJson(res, "_catalog", (t) => parseRegistryJson(RegistryCatalogSchema, t)).repositories;
}

export async function listTags(base: string, repository: string): Promise<string[]> {
  const res = await request(base, `/v2/${repository}/tags/list`);
  if (res.status === 404) {
    const code = errorCode(res.text);
    throw new TagNotFoundError(`The registry has no repository "${repository}"${code ? ` (${code})` : ""}.`, { repository });
  }
  if (!ok(res)) throw new RegistryError(`GET /v2/${repository}/tags/list answered ${res.status}.`);
  return readJson(res, "tags/list", (t) => parseRegistryJson(RegistryTagListSchema, t)).tags.sort();
}

/** The manifest digest of repository:tag, as the registry reports it. */
export async function manifestDigest(base: string, repository: string, tag: string): Promise<string> {
  const res = await request(base, `/v2/${repository}/manifests/${tag}`, { method: "HEAD", headers: { accept: ACCEPT_MANIFESTS } });
  if (res.status === 404) throw new TagNotFoundError(`The registry has no tag "${repository}:${tag}".`, { repository, tag });
  if (!ok(res)) throw new RegistryError(`HEAD /v2/${repository}/manifests/${tag} answered ${res.status}.`);
  const header = res.headers["docker-content-digest"];
  const digest = typeof header === "string" ? header : null;
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new RegistryError(`The registry sent no digest for ${repository}:${tag}.`);
  return digest;
}
