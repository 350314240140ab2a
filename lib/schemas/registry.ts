import { z } from "zod";
import { isRepositoryName, TAG_RE } from "@/lib/images/ref";
import { ImageRefSchema, ImageSummarySchema } from "./image";

// The Distribution registry's HTTP API v2 as Isolab reads it (`_catalog`,
// `tags/list`, error bodies), and Isolab's own registry API. Raw shapes are
// named after the registry.

/** GET /v2/_catalog — `repositories` is null on some registries when empty. */
export const RegistryCatalogSchema = z.looseObject({
  repositories: z
    .array(z.string())
    .nullable()
    .transform((r) => r ?? []),
});

/** GET /v2/<name>/tags/list — `tags` is null once every tag is deleted. */
export const RegistryTagListSchema = z.looseObject({
  name: z.string(),
  tags: z
    .array(z.string())
    .nullable()
    .transform((t) => t ?? []),
});

/** Any 4xx/5xx body: `{ errors: [{ code, message, detail }] }`. */
export const RegistryErrorBodySchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string(), message: z.string().optional(), detail: z.unknown().optional() })),
});

/** Parses JSON text with a schema; null (not a throw) when the text is not what the registry should send. */
export function parseRegistryJson<T>(schema: z.ZodType<T>, text: string): T | null {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** The first error code a registry reported ("MANIFEST_UNKNOWN", "NAME_UNKNOWN", …), if any. */
export function registryErrorCode(text: string): string | null {
  return parseRegistryJson(RegistryErrorBodySchema, text)?.errors[0]?.code ?? null;
}

export const RepositorySchema = z.string().refine(isRepositoryName, "not a repository name (lowercase components joined by '/')");
export const TagSchema = z.string().regex(TAG_RE, "not a tag");

/** An http(s) base URL; plain http only for this host (the registry Isolab starts speaks http). */
export const RegistryUrlSchema = z
  .string()
  .max(300)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (
        (u.protocol === "http:" || u.protocol === "https:") &&
        u.username === "" &&
        u.password === "" &&
        (u.pathname === "/" || u.pathname === "") &&
        !u.search &&
        !u.hash
      );
    } catch {
      return false;
    }
  }, "a registry URL such as http://127.0.0.1:5000 or https://registry.example.org (no path, no credentials)");

export const RegistryModeSchema = z.enum(["stopped", "managed", "external"]);

export const RegistryStatusSchema = z.object({
  mode: RegistryModeSchema,
  /** Base URL (http://127.0.0.1:PORT) when started or pointed at; else null. */
  url: z.string().nullable(),
  /** host:port as image references spell it. */
  host: z.string().nullable(),
  /** Answers GET /v2/ right now. */
  reachable: z.boolean(),
  pid: z.number().int().nullable(),
  dataDir: z.string().nullable(),
  startedAt: z.string().nullable(),
  /** Why it is not reachable, or what happened last. */
  note: z.string(),
});
export type RegistryStatus = z.infer<typeof RegistryStatusSchema>;

export const RegistryRepositorySchema = z.object({ name: z.string(), tags: z.array(z.string()) });
export const RegistryCatalogResponseSchema = z.object({ url: z.string(), repositories: z.array(RegistryRepositorySchema) });
export type RegistryCatalogResponse = z.infer<typeof RegistryCatalogResponseSchema>;

/** POST /api/registry/start: start Isolab's own registry, or use the one at `url`. */
export const RegistryStartSchema = z.object({ url: RegistryUrlSchema.optional() }).strict();

export const PushRequestSchema = z
  .object({
    image: ImageRefSchema,
    /** Repository in the registry; defaults to the image's name. */
    repository: RepositorySchema.optional(),
    tag: TagSchema.optional(),
  })
  .strict();
export type PushRequest = z.infer<typeof PushRequestSchema>;

export const PullRequestSchema = z
  .object({
    repository: RepositorySchema,
    tag: TagSchema.default("latest"),
    /** Local name; defaults to repository:tag. */
    name: ImageRefSchema.optional(),
  })
  .strict();
export type PullRequest = z.infer<typeof PullRequestSchema>;

export const PushResultSchema = z.object({ reference: z.string(), digest: z.string(), tookMs: z.number() });
export type PushResult = z.infer<typeof PushResultSchema>;
export const PullResultSchema = z.object({ image: ImageSummarySchema, reference: z.string(), tookMs: z.number() });
export type PullResult = z.infer<typeof PullResultSchema>;
