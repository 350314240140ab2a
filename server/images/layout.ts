import "server-only";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import {
  ANNOTATIONS,
  DigestSchema,
  MEDIA_TYPES,
  OciIndexSchema,
  OciManifestSchema,
  type OciDescriptor,
  type OciIndex,
  type OciManifest,
} from "@/lib/schemas/oci-image";
import { MalformedArchiveError } from "./errors";
import { runToolOrThrow } from "./tools";

// One OCI image layout (oci-layout, index.json, blobs/sha256/…): read with
// zod, blobs checked against their digest, index.json replaced atomically.
// Creating a layout is umoci's job; Isolab only edits the index's list of
// descriptors (adding, replacing, removing a reference) and collects blobs
// no descriptor reaches any more.

const MAX_JSON_BLOB = 4 * 1024 * 1024;

export function blobPath(layout: string, digest: string): string {
  const d = DigestSchema.safeParse(digest);
  if (!d.success) throw new MalformedArchiveError(`"${digest}" is not a sha256 digest.`);
  return path.join(layout, "blobs", "sha256", digest.slice("sha256:".length));
}

export async function initLayout(layout: string): Promise<void> {
  const exists = await fs.stat(path.join(layout, "oci-layout")).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await fs.mkdir(path.dirname(layout), { recursive: true });
  await runToolOrThrow("umoci", ["init", "--layout", layout], "creating the OCI layout");
}

export async function readIndex(layout: string): Promise<OciIndex> {
  const text = await fs.readFile(path.join(layout, "index.json"), "utf8").catch(() => null);
  if (text === null) throw new MalformedArchiveError(`${layout} has no index.json.`);
  return parseJson(OciIndexSchema, text, "index.json");
}

/** Replaces index.json in one rename: a reader sees the old or the new list, never half of one. */
export async function writeIndex(layout: string, index: OciIndex): Promise<void> {
  const tmp = path.join(layout, `.index.json.${randomBytes(4).toString("hex")}`);
  await fs.writeFile(tmp, JSON.stringify(index));
  await fs.rename(tmp, path.join(layout, "index.json"));
}

export function parseJson<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MalformedArchiveError(`${what} is not JSON (${(e as Error).message}).`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new MalformedArchiveError(`${what} is not what it should be: ${issues}.`);
  }
  return r.data;
}

/** A small JSON blob, its bytes checked against the digest that names it. */
export async function readJsonBlob<T>(layout: string, digest: string, schema: z.ZodType<T>, what: string): Promise<{ value: T; bytes: Buffer }> {
  const file = blobPath(layout, digest);
  const st = await fs.stat(file).catch(() => null);
  if (!st) throw new MalformedArchiveError(`The ${what} blob ${digest} is missing.`);
  if (st.size > MAX_JSON_BLOB) throw new MalformedArchiveError(`The ${what} blob ${digest} is ${st.size} bytes; a ${what} is never that large.`);
  const bytes = await fs.readFile(file);
  const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (actual !== digest) throw new MalformedArchiveError(`The ${what} blob ${digest} holds content with digest ${actual}.`);
  return { value: parseJson(schema, bytes.toString("utf8"), what), bytes };
}

export function refOf(d: OciDescriptor): string | undefined {
  return d.annotations?.[ANNOTATIONS.refName];
}

export function findRef(index: OciIndex, ref: string): OciDescriptor | undefined {
  return index.manifests.find((d) => refOf(d) === ref);
}

/** Every blob the index reaches: manifests, their configs and layers. */
export async function reachableBlobs(layout: string, index: OciIndex): Promise<Set<string>> {
  const keep = new Set<string>();
  for (const d of index.manifests) {
    keep.add(d.digest);
    if (d.mediaType !== MEDIA_TYPES.ociManifest && d.mediaType !== MEDIA_TYPES.dockerManifest) continue;
    const m = await readJsonBlob<OciManifest>(layout, d.digest, OciManifestSchema, "manifest").catch(() => null);
    if (!m) continue;
    keep.add(m.value.config.digest);
    for (const l of m.value.layers) keep.add(l.digest);
  }
  return keep;
}

/** Removes blobs no descriptor reaches (and temp files of interrupted index writes); returns how many. */
export async function collectGarbage(layout: string): Promise<number> {
  const keep = await reachableBlobs(layout, await readIndex(layout));
  const dir = path.join(layout, "blobs", "sha256");
  let removed = 0;
  for (const f of await fs.readdir(dir).catch(() => [] as string[])) {
    if (keep.has(`sha256:${f}`)) continue;
    await fs.rm(path.join(dir, f), { force: true, recursive: true });
    removed++;
  }
  for (const f of await fs.readdir(layout)) {
    if (f.startsWith(".index.json.")) await fs.rm(path.join(layout, f), { force: true });
  }
  return removed;
}
