import "server-only";
import { canonicalRef, parseImageRef } from "@/lib/images/ref";
import type { ImageSummary } from "@/lib/schemas/image";
import type { PullRequest, PushRequest } from "@/lib/schemas/registry";
import { InvalidRequestError } from "@/server/errors";
import { RegistryError, RegistryUnavailableError, TagNotFoundError } from "@/server/images/errors";
import type { OciStore } from "@/server/images/oci-store";
import { skopeoCopy, toolMessage, transports, type ToolOptions } from "@/server/images/tools";
import { checkRegistry, manifestDigest } from "./client";
import type { Endpoint } from "./manager";

// Push and pull with skopeo, digests preserved: what arrives in the registry
// is byte for byte the manifest in the store, and a pull brings back the
// same digest. A pull is untrusted input like an upload: staged, checked
// layer by layer, then moved into the store.

/**
 * skopeo's failure as a named error. Its message can carry what the
 * registry answered (error bodies, HTML from a proxy), so only the kind of
 * failure is said, with what to do; the whole stderr goes to the server's
 * log for the operator, not to the client.
 */
function transferError(stderr: string, what: string, ep: Endpoint, ref: { repository: string; tag: string }): Error {
  const message = toolMessage(stderr);
  console.error(`[isolab] ${what}: skopeo said: ${message}`);
  if (/connection refused|no such host|i\/o timeout|server misbehaving|EOF$/i.test(message)) {
    return new RegistryUnavailableError(`${what}: the registry at ${ep.url} does not answer; check that it is running and reachable.`, { url: ep.url });
  }
  if (/manifest unknown|name unknown|not found/i.test(message)) {
    return new TagNotFoundError(`${what}: the registry has no "${ref.repository}:${ref.tag}".`, ref);
  }
  if (/unauthorized|authentication required|denied|status code 40[13]/i.test(message)) {
    return new RegistryError(`${what}: the registry refused access (401/403); Isolab does not log in to registries.`, { url: ep.url });
  }
  if (/x509|certificate|tls:/i.test(message)) {
    return new RegistryError(`${what}: the registry's TLS certificate is not trusted here; install its CA in the system store.`, { url: ep.url });
  }
  if (/redirect/i.test(message)) {
    return new RegistryError(`${what}: the registry redirected somewhere skopeo would not go; point Isolab at the registry itself.`, { url: ep.url });
  }
  const status = /status(?: code)? (\d{3})/i.exec(message)?.[1];
  return new RegistryError(`${what} failed${status ? ` (HTTP ${status})` : ""}; the server's log has skopeo's message.`, { url: ep.url });
}

export async function pushImage(
  store: OciStore,
  ep: Endpoint,
  req: PushRequest,
  opts: ToolOptions = {},
): Promise<{ reference: string; digest: string; tookMs: number }> {
  const t0 = performance.now();
  const ref = canonicalRef(req.image);
  if (!ref) throw new InvalidRequestError(`"${req.image}" is not an image reference.`, { field: "image" });
  const parts = parseImageRef(ref)!;
  const repository = req.repository ?? parts.name;
  const tag = req.tag ?? parts.tag;
  const dest = transports.registry(ep.host, repository, tag);
  // Isolab's own checked client first: a refused address or a redirect off the host stops here, before skopeo.
  await checkRegistry(ep.url);
  return store.withImage(ref, async (source, image) => {
    const r = await skopeoCopy(source, dest, { ...opts, destInsecure: ep.insecure });
    if (r.code !== 0) throw transferError(r.stderr, `Pushing ${ref} to ${dest.slice("docker://".length)}`, ep, { repository, tag });
    const digest = await manifestDigest(ep.url, repository, tag);
    if (digest !== image.digest) {
      throw new RegistryError(`The registry stored ${repository}:${tag} as ${digest}, not the local ${image.digest}.`, { digest, local: image.digest });
    }
    return { reference: `${ep.host}/${repository}:${tag}`, digest, tookMs: performance.now() - t0 };
  });
}

export async function pullImage(
  store: OciStore,
  ep: Endpoint,
  req: PullRequest,
  opts: ToolOptions = {},
): Promise<{ image: ImageSummary; reference: string; tookMs: number }> {
  const t0 = performance.now();
  const target = canonicalRef(req.name ?? `${req.repository}:${req.tag}`);
  if (!target) throw new InvalidRequestError(`"${req.name}" is not an image reference.`, { field: "name" });
  store.assertReplaceable(target);
  const ref = { repository: req.repository, tag: req.tag };
  // Asked first: a missing tag or a registry that is down is named before any work.
  await manifestDigest(ep.url, req.repository, req.tag);
  const staged = store.stage();
  try {
    const src = transports.registry(ep.host, req.repository, req.tag);
    const r = await skopeoCopy(src, transports.ociLayout(staged.layout, store.stagedRef), {
      ...opts,
      srcInsecure: ep.insecure,
      env: { TMPDIR: staged.dir },
    });
    if (r.code !== 0) throw transferError(r.stderr, `Pulling ${ep.host}/${req.repository}:${req.tag}`, ep, ref);
    const reference = `${ep.host}/${req.repository}:${req.tag}`;
    const image = await store.admit(staged, target, { kind: "pulled", detail: reference, registry: ep.host });
    return { image, reference, tookMs: performance.now() - t0 };
  } finally {
    staged.remove();
  }
}
