import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { normalizeEntryPath, RootfsChecker } from "@/lib/images/archive-policy";
import type { ImageLimits } from "@/lib/schemas/image";
import {
  CONFIG_MEDIA_TYPES,
  DockerArchiveManifestSchema,
  layerCompression,
  MANIFEST_MEDIA_TYPES,
  MEDIA_TYPES,
  OciImageConfigSchema,
  OciIndexSchema,
  OciManifestSchema,
  type OciDescriptor,
  type OciImageConfig,
  type OciManifest,
} from "@/lib/schemas/oci-image";
import { TarFormatError, TarReader } from "@/lib/images/tar";
import { LayerTooLargeError, MalformedArchiveError, UnsafeArchiveEntryError, UnsupportedMediaTypeError } from "./errors";
import { blobPath, findRef, parseJson, readIndex, readJsonBlob } from "./layout";

// Two passes over untrusted input, each before anything is unpacked:
// 1. the uploaded archive itself (checkArchive): every entry's path, link and
//    type, sizes, and which format it is — before skopeo reads it;
// 2. the OCI layout skopeo made of it, or pulled into (checkLayout): media
//    types, digests, and every entry of every layer in order — before umoci
//    unpacks a layer into a root filesystem.

export type ArchiveFormat = "oci-archive" | "docker-archive";

export interface ArchiveFacts {
  format: ArchiveFormat;
  /** References the archive names for its image (OCI ref.name, docker RepoTags). */
  refs: string[];
  entries: number;
  /** gzip-compressed as a whole (docker save | gzip): skopeo needs it plain. */
  gzip: boolean;
}

const SMALL_BLOB = 64 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];
const OTHER_COMPRESSIONS: [number[], string][] = [
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a], "xz"],
  [[0x42, 0x5a, 0x68], "bzip2"],
];

function startsWith(buf: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

async function head(file: string, n: number): Promise<Buffer> {
  const fd = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fd.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

/** Streams a file (gunzipped when asked) through a tar reader; tar format errors become MalformedArchiveError. */
async function scanTar(
  file: string,
  gzip: boolean,
  tar: TarReader,
  opts: { what: string; onPacked?: (chunk: Buffer) => void; onUnpacked?: (chunk: Buffer) => void; maxUnpackedBytes: number },
): Promise<void> {
  let unpacked = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      opts.onPacked?.(chunk);
      cb(null, chunk);
    },
  });
  // pipeline() reports an error thrown while consuming as the AbortError it
  // destroys the streams with; the first real one is kept here.
  let failure: unknown = null;
  const consume = async (source: AsyncIterable<Buffer>) => {
    try {
      for await (const chunk of source) {
        unpacked += chunk.length;
        // A gzip bomb is stopped by bytes, before its entries add up.
        if (unpacked > opts.maxUnpackedBytes + 1024 * 1024) {
          throw new LayerTooLargeError(`${opts.what} unpacks to more than ${opts.maxUnpackedBytes} bytes.`);
        }
        opts.onUnpacked?.(chunk);
        tar.push(chunk);
      }
    } catch (err) {
      failure ??= err;
      throw err;
    }
  };
  try {
    try {
      if (gzip) await pipeline(fs.createReadStream(file), tap, createGunzip(), consume);
      else await pipeline(fs.createReadStream(file), tap, consume);
    } catch (err) {
      throw failure ?? err;
    }
    tar.finish();
  } catch (err) {
    if (err instanceof TarFormatError) throw new MalformedArchiveError(`${opts.what} is not a valid tar archive: ${err.message}.`);
    if ((err as NodeJS.ErrnoException).code?.startsWith("Z_")) {
      throw new MalformedArchiveError(`${opts.what} is not valid gzip: ${(err as Error).message}.`);
    }
    throw err;
  }
}

/** Pass 1: the archive as uploaded or given on the command line. */
export async function checkArchive(file: string, limits: ImageLimits): Promise<ArchiveFacts> {
  const st = await fs.promises.stat(file);
  if (st.size === 0) throw new MalformedArchiveError("The archive is empty.");
  const magic = await head(file, 8);
  for (const [m, name] of OTHER_COMPRESSIONS) {
    if (startsWith(magic, m)) throw new MalformedArchiveError(`The archive is ${name}-compressed; Isolab reads a plain or gzip-compressed tar.`);
  }
  const gzip = startsWith(magic, GZIP_MAGIC);
  const checker = new RootfsChecker({ absoluteSymlinks: "reject" });
  const present = new Set<string>();
  const small = new Map<string, Buffer>();
  let entries = 0;
  await scanTar(
    file,
    gzip,
    new TarReader({
        entry: (e) => {
          const v = checker.check(e);
          if (v) throw new UnsafeArchiveEntryError(v, "an entry of the archive");
          if (++entries > limits.entries) throw new MalformedArchiveError(`The archive has more than ${limits.entries} entries.`);
          if (e.size > limits.layerBytes) {
            throw new LayerTooLargeError(`${e.path} is ${e.size} bytes, over the ${limits.layerBytes}-byte limit for one layer.`, { path: e.path, sizeBytes: e.size });
          }
          const norm = normalizeEntryPath(e.path);
          const p = "path" in norm ? norm.path : e.path;
          present.add(p);
          return e.type === "file" && e.size <= SMALL_BLOB ? SMALL_BLOB : 0;
        },
        end: (e, body) => {
          const norm = normalizeEntryPath(e.path);
          if (body && "path" in norm) small.set(norm.path, body);
        },
      }),
    { what: "The archive", maxUnpackedBytes: limits.archiveBytes },
  );

  if (small.has("oci-layout") && small.has("index.json")) {
    return { format: "oci-archive", refs: checkOciArchive(small, present, limits), entries, gzip };
  }
  if (small.has("manifest.json")) {
    return { format: "docker-archive", refs: checkDockerArchive(small, present), entries, gzip };
  }
  throw new MalformedArchiveError("Neither an OCI archive (oci-layout, index.json) nor a `docker save` archive (manifest.json).");
}

function checkOciArchive(small: Map<string, Buffer>, present: Set<string>, limits: ImageLimits): string[] {
  const index = parseJson(OciIndexSchema, small.get("index.json")!.toString("utf8"), "index.json");
  if (index.manifests.length === 0) throw new MalformedArchiveError("index.json lists no image.");
  if (index.manifests.length > 1) {
    throw new MalformedArchiveError(`The archive holds ${index.manifests.length} images; Isolab imports one at a time.`);
  }
  const refs: string[] = [];
  for (const d of index.manifests) {
    checkManifestDescriptor(d);
    const key = `blobs/sha256/${d.digest.slice(7)}`;
    const bytes = small.get(key);
    if (!bytes) throw new MalformedArchiveError(`The manifest ${d.digest} is missing from the archive.`);
    verifyDigest(bytes, d.digest, "manifest");
    const manifest = parseJson(OciManifestSchema, bytes.toString("utf8"), "the manifest");
    checkManifest(manifest, limits);
    for (const blob of [manifest.config, ...manifest.layers]) {
      if (!present.has(`blobs/sha256/${blob.digest.slice(7)}`)) throw new MalformedArchiveError(`The blob ${blob.digest} is missing from the archive.`);
    }
    const ref = d.annotations?.["org.opencontainers.image.ref.name"];
    if (ref) refs.push(ref);
  }
  return refs;
}

function checkDockerArchive(small: Map<string, Buffer>, present: Set<string>): string[] {
  const manifest = parseJson(DockerArchiveManifestSchema, small.get("manifest.json")!.toString("utf8"), "manifest.json");
  if (manifest.length === 0) throw new MalformedArchiveError("manifest.json lists no image.");
  if (manifest.length > 1) throw new MalformedArchiveError(`The archive holds ${manifest.length} images; Isolab imports one at a time.`);
  const [image] = manifest;
  for (const f of [image.Config, ...image.Layers]) {
    const norm = normalizeEntryPath(f);
    if ("violation" in norm) throw new MalformedArchiveError(`manifest.json names ${f}, outside the archive.`);
    if (!present.has(norm.path)) throw new MalformedArchiveError(`manifest.json names ${f}, which the archive does not hold.`);
  }
  return image.RepoTags ?? [];
}

function verifyDigest(bytes: Buffer, digest: string, what: string) {
  const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (actual !== digest) throw new MalformedArchiveError(`The ${what} ${digest} holds content with digest ${actual}.`);
}

function checkManifestDescriptor(d: OciDescriptor) {
  if (d.mediaType === MEDIA_TYPES.ociIndex || d.mediaType === MEDIA_TYPES.dockerManifestList) {
    throw new UnsupportedMediaTypeError(`A multi-platform image index (${d.mediaType}) is not supported; export one platform's image.`, { mediaType: d.mediaType });
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
    if (layer.urls?.length) throw new UnsupportedMediaTypeError(`The layer ${layer.digest} is a foreign layer (fetched from ${layer.urls[0]}); Isolab never fetches those.`, { mediaType: layer.mediaType });
    if (layerCompression(layer.mediaType) === null) {
      throw new UnsupportedMediaTypeError(`Unknown or unsupported layer media type ${layer.mediaType} (Isolab unpacks tar and tar+gzip layers).`, { mediaType: layer.mediaType });
    }
    if (layer.size > limits.layerBytes) {
      throw new LayerTooLargeError(`The layer ${layer.digest} is ${layer.size} bytes, over the ${limits.layerBytes}-byte limit.`, { digest: layer.digest, sizeBytes: layer.size });
    }
  }
}

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
