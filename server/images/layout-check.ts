import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { RootfsChecker } from "@/lib/images/archive-policy";
import { TarReader } from "@/lib/images/tar";
import type { ImageLimits } from "@/lib/schemas/image";
import { layerCompression, OciImageConfigSchema, OciManifestSchema, type OciDescriptor, type OciImageConfig, type OciManifest } from "@/lib/schemas/oci-image";
import { LayerTooLargeError, MalformedArchiveError, UnsafeArchiveEntryError } from "./errors";
import { blobPath, findRef, readIndex, readJsonBlob } from "./layout";
import { checkManifest, checkManifestDescriptor } from "./manifest-check";
import { scanTar } from "./tar-scan";

// Pass 2 over untrusted input (pass 1 is archive-check.ts): the OCI layout
// skopeo made of an archive, or pulled into — media types, digests, and every
// entry of every layer walked in order — before umoci unpacks a layer into a
// root filesystem.

export interface LayoutFacts {
  descriptor: OciDescriptor;
  manifest: OciManifest;
  config: OciImageConfig;
  /** A regular file at /bin/probe once every layer is applied. */
  hasProbe: boolean;
  unpackedBytes: number;
}

/** Pass 2: one reference of an OCI layout, every layer read in full, in order. */
export async function checkLayout(layout: string, ref: string, limits: ImageLimits): Promise<LayoutFacts> {
  const index = await readIndex(layout);
  const descriptor = findRef(index, ref);
  if (!descriptor) throw new MalformedArchiveError(`The layout has no image "${ref}".`);
  checkManifestDescriptor(descriptor);
  const { value: manifest } = await readJsonBlob(layout, descriptor.digest, OciManifestSchema, "manifest");
  checkManifest(manifest, limits);
  const { value: config } = await readJsonBlob(layout, manifest.config.digest, OciImageConfigSchema, "image config");
  const diffIds = config.rootfs?.diff_ids;
  if (diffIds && diffIds.length !== manifest.layers.length) {
    throw new MalformedArchiveError(`The image config lists ${diffIds.length} layers, the manifest ${manifest.layers.length}.`);
  }

  const checker = new RootfsChecker({ absoluteSymlinks: "rooted" });
  let total = 0;
  for (const [i, layer] of manifest.layers.entries()) {
    const file = blobPath(layout, layer.digest);
    const st = await fs.promises.stat(file).catch(() => null);
    if (!st) throw new MalformedArchiveError(`The layer ${layer.digest} is missing.`);
    if (st.size !== layer.size) throw new MalformedArchiveError(`The layer ${layer.digest} has ${st.size} bytes; its manifest says ${layer.size}.`);
    const packed = createHash("sha256");
    const unpacked = createHash("sha256");
    const where = `layer ${i + 1} of ${manifest.layers.length} (${layer.digest.slice(0, 19)}…)`;
    let layerBytes = 0;
    await scanTar(
      file,
      layerCompression(layer.mediaType) === "gzip",
      new TarReader({
        entry: (e) => {
          const v = checker.check(e);
          if (v) throw new UnsafeArchiveEntryError(v, `an entry of ${where}`);
          if (checker.entries > limits.entries) throw new MalformedArchiveError(`The image has more than ${limits.entries} entries.`);
          layerBytes += e.type === "file" ? e.size : 0;
          if (layerBytes > limits.layerBytes) {
            throw new LayerTooLargeError(`${where} unpacks to more than the ${limits.layerBytes}-byte limit for one layer.`, { digest: layer.digest });
          }
          if (total + layerBytes > limits.unpackedBytes) {
            throw new LayerTooLargeError(`The image unpacks to more than the ${limits.unpackedBytes}-byte limit.`, { digest: layer.digest });
          }
        },
      }),
      {
        what: where,
        onPacked: (c) => packed.update(c),
        onUnpacked: (c) => unpacked.update(c),
        maxUnpackedBytes: limits.layerBytes + limits.layerBytes / 8,
      },
    );
    total += layerBytes;
    const packedDigest = `sha256:${packed.digest("hex")}`;
    if (packedDigest !== layer.digest) throw new MalformedArchiveError(`${where} holds content with digest ${packedDigest}.`);
    const diffId = `sha256:${unpacked.digest("hex")}`;
    if (diffIds && diffIds[i] !== diffId) throw new MalformedArchiveError(`${where} unpacks to ${diffId}; the image config says ${diffIds[i]}.`);
  }
  return { descriptor, manifest, config, hasProbe: checker.hasFile("bin/probe"), unpackedBytes: total };
}
