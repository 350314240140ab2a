import { z } from "zod";

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
