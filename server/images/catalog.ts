import "server-only";
import fs from "node:fs";
import { BUILT_IN_IMAGE, DEFAULT_TAG, isBuiltInRef, parseImageRef } from "@/lib/images/ref";
import type { ImageOrigin, ImageSummary } from "@/lib/schemas/image";
import { ANNOTATIONS, OciImageConfigSchema, OciManifestSchema, type OciDescriptor, type OciImageConfig, type OciManifest } from "@/lib/schemas/oci-image";
import { ImageNotFoundError, MalformedArchiveError, ReservedImageError } from "./errors";
import { blobPath, collectGarbage, findRef, readIndex, readJsonBlob, refOf, writeIndex } from "./layout";
import { STAGE_REF, type Staging } from "./staging";

// The store's catalog: which references the layout's index.json names, each
// with Isolab's annotations (origin, has-probe) on its descriptor, read as
// image summaries. Writes replace index.json in one rename; the caller holds
// the store's write lock (lock.ts) around commit and drop.

/** The built-in image's reference: `npm run setup` builds it, nothing replaces or deletes it. */
export const PROBE_REF = `${BUILT_IN_IMAGE}:${DEFAULT_TAG}`;

export interface CommitOrigin {
  kind: ImageOrigin["kind"];
  detail: string;
  registry?: string;
  extra?: Record<string, string>;
}

export function assertReplaceable(ref: string) {
  if (isBuiltInRef(ref)) {
    throw new ReservedImageError(`"${PROBE_REF}" is the image \`npm run setup\` builds; give the image another name or tag.`, { ref });
  }
}

export function originOf(d: OciDescriptor): ImageOrigin {
  const a = d.annotations ?? {};
  const kind = a[ANNOTATIONS.origin];
  return {
    kind: kind === "built" || kind === "pulled" || kind === "imported" ? kind : "imported",
    detail: a[ANNOTATIONS.originDetail] ?? "added to the layout by another tool",
    registry: a[ANNOTATIONS.originRegistry] ?? null,
    at: a[ANNOTATIONS.addedAt] ?? "",
  };
}

export function createCatalog(layout: string, now: () => Date) {
  // Manifests and configs never change under a digest: read each once.
  const summaries = new Map<string, { manifest: OciManifest; config: OciImageConfig }>();

  async function manifestAndConfig(d: OciDescriptor) {
    const cached = summaries.get(d.digest);
    if (cached) return cached;
    const { value: manifest } = await readJsonBlob(layout, d.digest, OciManifestSchema, "manifest");
    const { value: config } = await readJsonBlob(layout, manifest.config.digest, OciImageConfigSchema, "image config");
    const entry = { manifest, config };
    summaries.set(d.digest, entry);
    return entry;
  }

  async function summaryOf(d: OciDescriptor): Promise<ImageSummary> {
    const ref = refOf(d) ?? "";
    const parts = parseImageRef(ref) ?? { name: ref, tag: "" };
    const { manifest, config } = await manifestAndConfig(d);
    const c = config.config ?? {};
    return {
      ref,
      name: parts.name,
      tag: parts.tag,
      digest: d.digest,
      sizeBytes: d.size + manifest.config.size + manifest.layers.reduce((s, l) => s + l.size, 0),
      layers: manifest.layers.map((l) => ({ digest: l.digest, sizeBytes: l.size, mediaType: l.mediaType })),
      entrypoint: c.Entrypoint ?? [],
      cmd: c.Cmd ?? [],
      env: c.Env ?? [],
      workingDir: c.WorkingDir ?? "",
      user: c.User ?? "",
      createdAt: config.created ?? null,
      architecture: config.architecture ?? null,
      origin: originOf(d),
      hasProbe: d.annotations?.[ANNOTATIONS.hasProbe] === "true",
      builtIn: ref === PROBE_REF,
    };
  }

  /** The descriptor of a canonical reference, or undefined. */
  async function find(ref: string): Promise<OciDescriptor | undefined> {
    return findRef(await readIndex(layout), ref);
  }

  /** The descriptor of a canonical reference, or ImageNotFoundError. */
  async function descriptorOf(ref: string): Promise<OciDescriptor> {
    const d = await find(ref);
    if (!d) throw new ImageNotFoundError(`There is no image "${ref}" in the store.`, { ref });
    return d;
  }

  /** Every named image, the built-in one first, then by reference. */
  async function list(): Promise<ImageSummary[]> {
    const index = await readIndex(layout);
    const out: ImageSummary[] = [];
    for (const d of index.manifests) {
      if (!refOf(d)) continue;
      out.push(await summaryOf(d));
    }
    return out.sort((a, b) => (a.builtIn === b.builtIn ? a.ref.localeCompare(b.ref) : a.builtIn ? -1 : 1));
  }

  /** Hex digests of every manifest a reference names (what the caches are keyed by). */
  async function liveManifests(): Promise<Set<string>> {
    return new Set((await readIndex(layout)).manifests.map((m) => m.digest.slice("sha256:".length)));
  }

  /**
   * Moves a staged, checked image in under `targetRef`: blobs by rename, then
   * one index.json write. A failure before that write removes the blobs it
   * had moved, so the store is as it was.
   */
  async function commit(staged: Staging, targetRef: string, origin: CommitOrigin, hasProbe: boolean): Promise<ImageSummary> {
    const stagedIndex = await readIndex(staged.layout);
    const d = findRef(stagedIndex, STAGE_REF);
    if (!d) throw new MalformedArchiveError("The staged image has no reference.");
    const { value: manifest } = await readJsonBlob(staged.layout, d.digest, OciManifestSchema, "manifest");
    const added: string[] = [];
    try {
      for (const digest of new Set([d.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)])) {
        const to = blobPath(layout, digest);
        if (fs.existsSync(to)) continue;
        fs.renameSync(blobPath(staged.layout, digest), to);
        added.push(to);
      }
      const index = await readIndex(layout);
      const descriptor: OciDescriptor = {
        mediaType: d.mediaType,
        digest: d.digest,
        size: d.size,
        annotations: {
          [ANNOTATIONS.refName]: targetRef,
          [ANNOTATIONS.origin]: origin.kind,
          [ANNOTATIONS.originDetail]: origin.detail,
          ...(origin.registry ? { [ANNOTATIONS.originRegistry]: origin.registry } : {}),
          [ANNOTATIONS.addedAt]: now().toISOString(),
          [ANNOTATIONS.hasProbe]: String(hasProbe),
          ...origin.extra,
        },
      };
      await writeIndex(layout, { ...index, manifests: [...index.manifests.filter((m) => refOf(m) !== targetRef), descriptor] });
    } catch (err) {
      for (const f of added) fs.rmSync(f, { force: true });
      throw err;
    }
    await collectGarbage(layout);
    return summaryOf((await find(targetRef))!);
  }

  /** Takes a canonical reference out of the index and removes the blobs no other reference reaches. */
  async function drop(ref: string): Promise<void> {
    const index = await readIndex(layout);
    if (!findRef(index, ref)) throw new ImageNotFoundError(`There is no image "${ref}" in the store.`, { ref });
    await writeIndex(layout, { ...index, manifests: index.manifests.filter((m) => refOf(m) !== ref) });
    await collectGarbage(layout);
  }

  return { summaryOf, find, descriptorOf, list, liveManifests, commit, drop };
}

export type Catalog = ReturnType<typeof createCatalog>;
