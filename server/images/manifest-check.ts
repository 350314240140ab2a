import "server-only";
import { createHash } from "node:crypto";
import type { ImageLimits } from "@/lib/schemas/image";
import { CONFIG_MEDIA_TYPES, layerCompression, MANIFEST_MEDIA_TYPES, MEDIA_TYPES, type OciDescriptor, type OciManifest } from "@/lib/schemas/oci-image";
import { LayerTooLargeError, MalformedArchiveError, UnsupportedMediaTypeError } from "./errors";

// What an image's OCI documents declare, checked before any blob they name is
// read: the index descriptor's media type, the manifest's config and layer
// media types and sizes, and a small blob's bytes against its digest. Both
// checking passes use these (archive-check.ts, layout-check.ts).

export function verifyDigest(bytes: Buffer, digest: string, what: string) {
  const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (actual !== digest) throw new MalformedArchiveError(`The ${what} ${digest} holds content with digest ${actual}.`);
}

/** The index's descriptor of an image: one platform's manifest, of a media type Isolab reads. */
export function checkManifestDescriptor(d: OciDescriptor) {
  if (d.mediaType === MEDIA_TYPES.ociIndex || d.mediaType === MEDIA_TYPES.dockerManifestList) {
    throw new UnsupportedMediaTypeError(`A multi-platform image index (${d.mediaType}) is not supported; export one platform's image.`, {
      mediaType: d.mediaType,
    });
  }
  if (!MANIFEST_MEDIA_TYPES.includes(d.mediaType)) {
    throw new UnsupportedMediaTypeError(`Unknown manifest media type ${d.mediaType}.`, { mediaType: d.mediaType });
  }
}

/** Media types and sizes a manifest declares. */
export function checkManifest(manifest: OciManifest, limits: ImageLimits): void {
  if (!CONFIG_MEDIA_TYPES.includes(manifest.config.mediaType)) {
    throw new UnsupportedMediaTypeError(`Unknown image config media type ${manifest.config.mediaType}.`, { mediaType: manifest.config.mediaType });
  }
  for (const layer of manifest.layers) {
    if (layer.urls?.length)
      throw new UnsupportedMediaTypeError(`The layer ${layer.digest} is a foreign layer (fetched from ${layer.urls[0]}); Isolab never fetches those.`, {
        mediaType: layer.mediaType,
      });
    if (layerCompression(layer.mediaType) === null) {
      throw new UnsupportedMediaTypeError(`Unknown or unsupported layer media type ${layer.mediaType} (Isolab unpacks tar and tar+gzip layers).`, {
        mediaType: layer.mediaType,
      });
    }
    if (layer.size > limits.layerBytes) {
      throw new LayerTooLargeError(`The layer ${layer.digest} is ${layer.size} bytes, over the ${limits.layerBytes}-byte limit.`, {
        digest: layer.digest,
        sizeBytes: layer.size,
      });
    }
  }
}
