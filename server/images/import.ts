import "server-only";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { canonicalRef, DEFAULT_TAG, localRefFromArchive, nameFromFileName } from "@/lib/images/ref";
import type { ImageLimits, ImageSummary } from "@/lib/schemas/image";
import { checkArchive, type ArchiveFormat } from "./archive-check";
import { assertReplaceable, type CommitOrigin } from "./catalog";
import { ArchiveTooLargeError, MalformedArchiveError } from "./errors";
import { STAGE_REF, type Staging } from "./staging";
import { skopeoConvert, skopeoCopy, toolMessage, transports, type ToolOptions } from "./tools";

// Importing an archive: an OCI archive or a `docker save` tarball is checked
// as it is (pass 1, archive-check.ts), converted by skopeo into a staging
// layout, and handed to the store's admit (pass 2, then the commit).

export interface ImportOptions {
  /** The reference to import under; else the archive's own, else the file's name. */
  name?: string;
  filename?: string;
  /** Where it came from, for the image's origin ("upload hello.tar", "file ./x.tar"). */
  detail?: string;
  signal?: AbortSignal;
}

export interface ImportOutcome {
  image: ImageSummary;
  format: ArchiveFormat;
  tookMs: number;
}

export interface ImportTarget {
  limits: ImageLimits;
  stage(): Staging;
  admit(staged: Staging, targetRef: string, origin: CommitOrigin): Promise<ImageSummary>;
}

export async function importArchive(store: ImportTarget, file: string, o: ImportOptions = {}): Promise<ImportOutcome> {
  const { limits } = store;
  const t0 = performance.now();
  const st = fs.statSync(file);
  if (st.size > limits.archiveBytes) {
    throw new ArchiveTooLargeError(`The archive is ${st.size} bytes, over the ${limits.archiveBytes}-byte limit.`, {
      sizeBytes: st.size,
      limit: limits.archiveBytes,
    });
  }
  const facts = await checkArchive(file, limits);
  const targetRef =
    (o.name ? canonicalRef(o.name) : null) ?? localRefFromArchive(facts.refs[0]) ?? `${nameFromFileName(o.filename ?? path.basename(file))}:${DEFAULT_TAG}`;
  assertReplaceable(targetRef);
  const staged = store.stage();
  try {
    const toolOpts: ToolOptions = { signal: o.signal, env: { TMPDIR: staged.dir } };
    const dest = transports.ociLayout(staged.layout, STAGE_REF);
    // skopeo reads a docker archive only as a plain tar; pass 1 already read this one through gunzip.
    const plain = facts.gzip ? await gunzipTo(file, path.join(staged.dir, "archive.tar"), o.signal) : file;
    const r =
      facts.format === "oci-archive"
        ? await skopeoCopy(transports.ociArchive(plain), dest, toolOpts)
        : await skopeoConvert(transports.dockerArchive(plain), dest, toolOpts);
    if (r.code !== 0) throw new MalformedArchiveError(`skopeo could not read the ${facts.format}: ${toolMessage(r.stderr)}`);
    const detail = `${o.detail ?? o.filename ?? path.basename(file)} (${facts.format})`;
    const image = await store.admit(staged, targetRef, { kind: "imported", detail });
    return { image, format: facts.format, tookMs: performance.now() - t0 };
  } finally {
    staged.remove();
  }
}

async function gunzipTo(file: string, out: string, signal?: AbortSignal): Promise<string> {
  await pipeline(fs.createReadStream(file), createGunzip(), fs.createWriteStream(out), { signal });
  return out;
}
