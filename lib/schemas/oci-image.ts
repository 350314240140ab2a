import { z } from "zod";

// The OCI image format as Isolab reads it (image-spec v1: index.json,
// manifests, image configs) and the `manifest.json` of a `docker save`
// archive. Raw shapes named after their source; server/images maps them to
// `ImageSummary` once. Unknown fields pass through: other tools write more.

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];
export const CONFIG_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociConfig, MEDIA_TYPES.dockerConfig];

export type LayerCompression = "none" | "gzip";

/** How a layer of this media type is read, or null when Isolab cannot unpack it. */
export function layerCompression(mediaType: string): LayerCompression | null {
  switch (mediaType) {
    case MEDIA_TYPES.ociLayer:
    case MEDIA_TYPES.dockerLayer:
      return "none";
    case MEDIA_TYPES.ociLayerGzip:
    case MEDIA_TYPES.dockerLayerGzip:
      return "gzip";
    default:
      return null; // zstd (umoci 0.4 cannot), foreign/non-distributable layers, anything else
  }
}

export const DigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, "not a sha256 digest");

export const OciDescriptorSchema = z.looseObject({
  mediaType: z.string().min(1),
  digest: DigestSchema,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.looseObject({ architecture: z.string(), os: z.string() }).optional(),
  /** Foreign layers point elsewhere; Isolab never fetches them. */
  urls: z.array(z.string()).optional(),
});
export type OciDescriptor = z.infer<typeof OciDescriptorSchema>;

export const OciIndexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  /** umoci init writes null for an empty layout. */
  manifests: z
    .array(OciDescriptorSchema)
    .nullable()
    .transform((m) => m ?? []),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OciIndex = z.infer<typeof OciIndexSchema>;

export const OciLayoutFileSchema = z.looseObject({ imageLayoutVersion: z.string() });

export const OciManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: OciDescriptorSchema,
  layers: z.array(OciDescriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OciManifest = z.infer<typeof OciManifestSchema>;

const StringList = z.array(z.string()).nullable().optional();

export const OciImageConfigSchema = z.looseObject({
  created: z.string().optional(),
  architecture: z.string().optional(),
  os: z.string().optional(),
  config: z
    .looseObject({
      User: z.string().optional(),
      Env: StringList,
      Entrypoint: StringList,
      Cmd: StringList,
      WorkingDir: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullable().optional(),
    })
    .optional(),
  rootfs: z.looseObject({ type: z.string(), diff_ids: z.array(z.string()) }).optional(),
  history: z.array(z.looseObject({ created: z.string().optional(), created_by: z.string().optional(), empty_layer: z.boolean().optional() })).optional(),
});
export type OciImageConfig = z.infer<typeof OciImageConfigSchema>;

/** `manifest.json` of a `docker save` archive: one object per image. */
export const DockerArchiveManifestSchema = z.array(
  z.looseObject({
    Config: z.string().min(1),
    RepoTags: z.array(z.string()).nullable().optional(),
    Layers: z.array(z.string().min(1)),
  }),
);
export type DockerArchiveManifest = z.infer<typeof DockerArchiveManifestSchema>;

/** Annotations Isolab keeps on each image's descriptor in the store's index.json. */
export const ANNOTATIONS = {
  refName: "org.opencontainers.image.ref.name",
  origin: "org.isolab.origin",
  originDetail: "org.isolab.origin.detail",
  originRegistry: "org.isolab.origin.registry",
  addedAt: "org.isolab.added-at",
  hasProbe: "org.isolab.has-probe",
  probeInputs: "org.isolab.probe-inputs",
} as const;
