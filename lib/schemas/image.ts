import { z } from "zod";
import { parseImageRef } from "@/lib/images/ref";

// image.json, written by scripts/build-image.sh (guest/README.md, "Built
// artifacts"). Parsed, never cast: a half-written or hand-edited file must
// surface as "image incomplete", not as undefined paths later.

/** Same rule as CreateInstanceSchema's image: no dots first, so no "..". */
export const IMAGE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ImageNameSchema = z.string().regex(IMAGE_NAME_PATTERN, "not a valid image name");

export const ImageJsonSchema = z.object({
  name: ImageNameSchema,
  builtAt: z.iso.datetime(),
  /** Size of initramfs.cpio in bytes. */
  sizeBytes: z.number().int().positive(),
  /** Entries in the root filesystem (files, directories, links). */
  files: z.number().int().positive(),
  /** sha256 of initramfs.cpio, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  busyboxVersion: z.string().min(1),
  /** Hash of the build inputs; a changed hash means a rebuild. */
  inputsHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ImageJson = z.infer<typeof ImageJsonSchema>;

/** Parses image.json text; returns the issues in words instead of throwing. */
export function parseImageJson(text: string): { ok: true; image: ImageJson } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not JSON (${(e as Error).message})` };
  }
  const r = ImageJsonSchema.safeParse(raw);
  if (r.success) return { ok: true, image: r.data };
  return { ok: false, problem: r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
}

// ── the OCI image store (server/images/oci-store.ts) ────────────────────

/** `name[:tag]` as lib/images/ref.ts reads it; the tag defaults to latest. */
export const ImageRefSchema = z
  .string()
  .max(200)
  .refine((s) => parseImageRef(s) !== null, "not an image reference: name[:tag], the name in lowercase letters, digits, '.', '_', '-' and '/'");

/** Refused before anything is written: the archive, one layer, every layer unpacked, entries. */
export const IMAGE_LIMITS = {
  archiveBytes: 2 * 1024 ** 3,
  layerBytes: 1024 ** 3,
  unpackedBytes: 4 * 1024 ** 3,
  entries: 500_000,
} as const;
export type ImageLimits = { [K in keyof typeof IMAGE_LIMITS]: number };

export const IMAGE_ORIGIN_KINDS = ["built", "imported", "pulled"] as const;
export const ImageOriginSchema = z.object({
  kind: z.enum(IMAGE_ORIGIN_KINDS),
  /** "scripts/build-image.sh", "upload app.tar (docker-archive)", "127.0.0.1:5000/isolab/app:1". */
  detail: z.string(),
  /** The registry it was pulled from (host:port), else null. */
  registry: z.string().nullable(),
  at: z.string(),
});
export type ImageOrigin = z.infer<typeof ImageOriginSchema>;

export const ImageLayerSchema = z.object({
  digest: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  mediaType: z.string(),
});

export const ImageSummarySchema = z.object({
  /** `name:tag`, what the launch form and the API take. */
  ref: z.string(),
  name: z.string(),
  tag: z.string(),
  /** Manifest digest: what a registry shows for the same image. */
  digest: z.string(),
  /** Manifest + config + compressed layers, as stored. */
  sizeBytes: z.number().int().nonnegative(),
  layers: z.array(ImageLayerSchema),
  entrypoint: z.array(z.string()),
  cmd: z.array(z.string()),
  env: z.array(z.string()),
  workingDir: z.string(),
  user: z.string(),
  createdAt: z.string().nullable(),
  architecture: z.string().nullable(),
  origin: ImageOriginSchema,
  /** A probe at /bin/probe: guest view and commands work in a container of it. */
  hasProbe: z.boolean(),
  /** `probe:latest`, the image `npm run setup` builds: runs from its own build, cannot be replaced. */
  builtIn: z.boolean(),
});
export type ImageSummary = z.infer<typeof ImageSummarySchema>;

export const ImageInstanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(["process", "container", "vm"]),
  state: z.string(),
});

/** GET /api/images and Figure 2.4's data: every image with the instances started from it. */
export const ImageWithInstancesSchema = ImageSummarySchema.extend({ instances: z.array(ImageInstanceSchema) });
export type ImageWithInstances = z.infer<typeof ImageWithInstancesSchema>;
export const ImageListResponseSchema = z.object({ images: z.array(ImageWithInstancesSchema) });
export type ImageListResponse = z.infer<typeof ImageListResponseSchema>;

/** Query of POST /api/images (the body is the archive itself). */
export const ImportQuerySchema = z
  .object({
    /** Local name for it; else the archive's own reference, else the file name. */
    name: ImageRefSchema.optional(),
    filename: z.string().max(255).optional(),
  })
  .strict();
export type ImportQuery = z.infer<typeof ImportQuerySchema>;

export const ImportResultSchema = z.object({ image: ImageSummarySchema, format: z.enum(["oci-archive", "docker-archive"]), tookMs: z.number() });
export type ImportResult = z.infer<typeof ImportResultSchema>;
