import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { MEDIA_TYPES } from "@/lib/schemas/oci-image";
import { buildTar, type TarHeaderSpec } from "@/lib/images/tar";
import { runToolOrThrow, skopeoConvert, transports } from "./tools";

// Images for the tests, made the way a user would: a busybox root filesystem
// packed with umoci and exported with skopeo; and hostile archives crafted
// byte by byte (a tar writer in lib/images/tar.ts), which no real tool would write.

export const HELLO_LINE = "hello from an OCI image";

export interface TestImageSpec {
  /** Shell command the entrypoint runs (busybox sh -c). */
  script?: string;
  env?: string[];
  workingDir?: string;
  /** Extra files: path inside the image → content or size of random bytes. */
  files?: Record<string, string | number>;
}

/** A busybox image in an OCI layout under `dir`, tagged `ref`. */
export async function buildBusyboxLayout(dir: string, ref: string, spec: TestImageSpec = {}): Promise<string> {
  const layout = path.join(dir, "oci");
  const rootfs = path.join(dir, `rootfs-${ref.replace(/[^a-z0-9]/g, "_")}`);
  fs.mkdirSync(path.join(rootfs, "bin"), { recursive: true });
  fs.copyFileSync("/bin/busybox", path.join(rootfs, "bin", "busybox"));
  fs.chmodSync(path.join(rootfs, "bin", "busybox"), 0o755);
  for (const applet of ["sh", "echo", "sleep", "cat", "pwd", "env"]) fs.symlinkSync("busybox", path.join(rootfs, "bin", applet));
  for (const [p, content] of Object.entries(spec.files ?? {})) {
    const file = path.join(rootfs, p);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === "number") {
      const fd = fs.openSync(file, "w");
      const chunk = Buffer.alloc(1024 * 1024);
      for (let left = content; left > 0; left -= chunk.length) {
        for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
        fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
      }
      fs.closeSync(fd);
    } else fs.writeFileSync(file, content);
  }
  const image = `${layout}:${ref}`;
  if (!fs.existsSync(path.join(layout, "oci-layout"))) await runToolOrThrow("umoci", ["init", "--layout", layout], "umoci init");
  await runToolOrThrow("umoci", ["new", "--image", image], "umoci new");
  await runToolOrThrow("umoci", ["insert", "--image", image, rootfs, "/"], "umoci insert");
  const script = spec.script ?? `echo ${HELLO_LINE}; echo cwd=$(pwd) greeting=$GREETING; sleep 3600`;
  await runToolOrThrow(
    "umoci",
    [
      "config",
      "--image",
      image,
      "--config.entrypoint",
      "/bin/sh",
      "--config.cmd",
      "-c",
      "--config.cmd",
      script,
      ...(spec.env ?? ["GREETING=hi there"]).flatMap((e) => ["--config.env", e]),
      "--config.workingdir",
      spec.workingDir ?? "/bin",
    ],
    "umoci config",
  );
  await runToolOrThrow("umoci", ["gc", "--layout", layout], "umoci gc");
  fs.rmSync(rootfs, { recursive: true, force: true });
  return layout;
}

/** The same image as an OCI archive or a `docker save`-style archive. */
export async function exportArchive(layout: string, ref: string, file: string, format: "oci-archive" | "docker-archive"): Promise<string> {
  const dest = `${format === "oci-archive" ? transports.ociArchive(file) : transports.dockerArchive(file)}:${ref}`;
  const r = await skopeoConvert(transports.ociLayout(layout, ref), dest);
  if (r.code !== 0) throw new Error(`skopeo could not export ${ref}: ${r.stderr}`);
  return file;
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export interface CraftSpec {
  /** Entries of the one layer. */
  layer: (TarHeaderSpec & { body?: Buffer | string })[];
  /** The layer's tar bytes as crafted (lib/images/tar-craft.ts), instead of `layer`. */
  rawLayer?: Uint8Array;
  layerMediaType?: string;
  gzip?: boolean;
  /** Extra entries of the outer archive (before the layout's own). */
  outer?: (TarHeaderSpec & { body?: Buffer | string })[];
  refName?: string;
}

/** An OCI archive written byte by byte around one crafted layer. */
export function craftOciArchive(file: string, spec: CraftSpec): string {
  const rawLayer = spec.rawLayer ? Buffer.from(spec.rawLayer) : buildTar(spec.layer);
  const layer = spec.gzip === false ? rawLayer : gzipSync(rawLayer);
  const layerMediaType = spec.layerMediaType ?? (spec.gzip === false ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.ociLayerGzip);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Entrypoint: ["/bin/sh"] },
      rootfs: { type: "layers", diff_ids: [`sha256:${sha(rawLayer)}`] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: `sha256:${sha(config)}`, size: config.length },
      layers: [{ mediaType: layerMediaType, digest: `sha256:${sha(layer)}`, size: layer.length }],
    }),
  );
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: `sha256:${sha(manifest)}`,
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": spec.refName ?? "crafted:1" },
        },
      ],
    }),
  );
  fs.writeFileSync(
    file,
    buildTar([
      ...(spec.outer ?? []),
      { path: "oci-layout", body: '{"imageLayoutVersion":"1.0.0"}' },
      { path: "index.json", body: index },
      { path: "blobs/", type: "directory" },
      { path: "blobs/sha256/", type: "directory" },
      { path: `blobs/sha256/${sha(config)}`, body: config },
      { path: `blobs/sha256/${sha(manifest)}`, body: manifest },
      { path: `blobs/sha256/${sha(layer)}`, body: layer },
    ]),
  );
  return file;
}
