import "server-only";
import fs from "node:fs";
import { normalizeEntryPath, RootfsChecker } from "@/lib/images/archive-policy";
import { TarReader } from "@/lib/images/tar";
import type { ImageLimits } from "@/lib/schemas/image";
import { DockerArchiveManifestSchema, OciIndexSchema, OciManifestSchema } from "@/lib/schemas/oci-image";
import { LayerTooLargeError, MalformedArchiveError, UnsafeArchiveEntryError } from "./errors";
import { parseJson } from "./layout";
import { checkManifest, checkManifestDescriptor, verifyDigest } from "./manifest-check";
import { scanTar } from "./tar-scan";

// Untrusted input is read twice, each time before anything is unpacked:
// 1. the uploaded archive itself (here): every entry's path, link and type
//    against the archive policy, sizes, and which format it is — before
//    skopeo reads it;
// 2. the OCI layout skopeo made of it, or pulled into (layout-check.ts).

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
          throw new LayerTooLargeError(`${e.path} is ${e.size} bytes, over the ${limits.layerBytes}-byte limit for one layer.`, {
            path: e.path,
            sizeBytes: e.size,
          });
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
