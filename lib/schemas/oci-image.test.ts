import { describe, expect, it } from "vitest";
import { layerCompression, MEDIA_TYPES, OciIndexSchema } from "./oci-image";

describe("layerCompression", () => {
  it.each([
    [MEDIA_TYPES.ociLayer, "none"],
    [MEDIA_TYPES.ociLayerGzip, "gzip"],
    [MEDIA_TYPES.dockerLayerGzip, "gzip"],
    [MEDIA_TYPES.dockerLayer, "none"],
    [MEDIA_TYPES.ociLayerZstd, null],
    ["application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", null],
    ["application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", null],
    ["text/plain", null],
  ])("%s → %s", (mediaType, compression) => expect(layerCompression(mediaType)).toBe(compression));
});

describe("OciIndexSchema", () => {
  it("reads umoci's empty index (manifests: null) as no images", () => {
    expect(OciIndexSchema.parse({ schemaVersion: 2, manifests: null }).manifests).toEqual([]);
  });
  it("refuses a bad digest", () => {
    expect(OciIndexSchema.safeParse({ schemaVersion: 2, manifests: [{ mediaType: MEDIA_TYPES.ociManifest, digest: "sha256:xyz", size: 1 }] }).success).toBe(
      false,
    );
  });
});
