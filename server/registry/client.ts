import "server-only";
import { MEDIA_TYPES } from "@/lib/schemas/oci-image";
import { parseRegistryJson, registryErrorCode, RegistryCatalogSchema, RegistryTagListSchema } from "@/lib/schemas/registry";
import { RegistryError, RegistryUnavailableError, TagNotFoundError } from "@/server/images/errors";

// The Distribution registry's HTTP API v2, the few calls Isolab makes:
// GET /v2/ (is it there), /v2/_catalog, /v2/<name>/tags/list, and HEAD of a
// manifest (its digest). Every answer is parsed with zod; a refused
// connection is RegistryUnavailableError, an unknown name or tag
// TagNotFoundError.

const TIMEOUT_MS = 5000;
const ACCEPT_MANIFESTS = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList].join(", ");

async function request(base: string, pathname: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(pathname, base).toString();
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), cache: "no-store" });
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (err as Error).name;
    throw new RegistryUnavailableError(`The registry at ${base} does not answer (${cause}).`, { url: base });
  }
}

/** null when it answers GET /v2/ with 200, else why not. */
export async function pingRegistry(base: string): Promise<string | null> {
  try {
    const res = await request(base, "/v2/");
    await res.body?.cancel();
    return res.ok ? null : `GET /v2/ answered ${res.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}

async function readJson<T>(res: Response, what: string, parse: (text: string) => T | null): Promise<T> {
  const text = await res.text();
  const value = parse(text);
  if (value === null) throw new RegistryError(`The registry's answer to ${what} is not what the API v2 describes: ${text.slice(0, 200)}`);
  return value;
}

export async function listRepositories(base: string): Promise<string[]> {
  const res = await request(base, "/v2/_catalog?n=1000");
  if (!res.ok) throw new RegistryError(`GET /v2/_catalog answered ${res.status}.`);
  return (await readJson(res, "_catalog", (t) => parseRegistryJson(RegistryCatalogSchema, t))).repositories;
}

export async function listTags(base: string, repository: string): Promise<string[]> {
  const res = await request(base, `/v2/${repository}/tags/list`);
  if (res.status === 404) {
    const code = registryErrorCode(await res.text());
    throw new TagNotFoundError(`The registry has no repository "${repository}"${code ? ` (${code})` : ""}.`, { repository });
  }
  if (!res.ok) throw new RegistryError(`GET /v2/${repository}/tags/list answered ${res.status}.`);
  return (await readJson(res, "tags/list", (t) => parseRegistryJson(RegistryTagListSchema, t))).tags.sort();
}

/** The manifest digest of repository:tag, as the registry reports it. */
export async function manifestDigest(base: string, repository: string, tag: string): Promise<string> {
  const res = await request(base, `/v2/${repository}/manifests/${tag}`, { method: "HEAD", headers: { accept: ACCEPT_MANIFESTS } });
  if (res.status === 404) throw new TagNotFoundError(`The registry has no tag "${repository}:${tag}".`, { repository, tag });
  if (!res.ok) throw new RegistryError(`HEAD /v2/${repository}/manifests/${tag} answered ${res.status}.`);
  const digest = res.headers.get("docker-content-digest");
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new RegistryError(`The registry sent no digest for ${repository}:${tag}.`);
  return digest;
}
