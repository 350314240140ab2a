import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { attachInstances } from "@/lib/images/lineage";
import type { ImageWithInstances, ImportQuery, ImportResult } from "@/lib/schemas/image";
import type { Instance } from "@/lib/core/types";
import { getSupervisor } from "@/server/instances";
import { ArchiveTooLargeError, ImageToolError } from "./errors";
import { builtProbe, IMAGE_STORE_DIR, imageStore } from "./index";
import { createOciStore } from "./oci-store";

// What the routes (and Figure 2.4) ask of the image store, with the
// supervisor's instances beside each image.

async function instances(): Promise<Instance[]> {
  return (await getSupervisor()).list();
}

/**
 * Every image in the store — where it came from (built, imported, pulled
 * from which registry) and the instances started from it. Figure 2.4's data.
 */
export async function listImagesWithInstances(): Promise<ImageWithInstances[]> {
  const [images, all] = await Promise.all([imageStore().list(), instances()]);
  return attachInstances(images, all);
}

export async function getImageWithInstances(ref: string): Promise<ImageWithInstances> {
  const [image, all] = await Promise.all([imageStore().get(ref), instances()]);
  return attachInstances([image], all)[0];
}

/** Refused while a live instance runs from it; removes its blobs and caches no other image shares. */
export async function deleteImage(ref: string): Promise<void> {
  const all = await instances();
  // The store refuses an image in use; until the one store is built with the supervisor's instances, this call's store is.
  await createOciStore({ root: IMAGE_STORE_DIR, builtProbe, liveInstances: () => all }).remove(ref);
}

/**
 * An archive in the request body (streamed to a staging file, refused at the
 * limit before or while it arrives), then imported like a file.
 */
export async function importUpload(req: Request, query: ImportQuery): Promise<ImportResult> {
  const store = imageStore();
  const limit = store.limits.archiveBytes;
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new ArchiveTooLargeError(`The upload is ${declared} bytes, over the ${limit}-byte limit.`, { sizeBytes: declared, limit });
  }
  if (!req.body) throw new ImageToolError("The request has no body: send the archive itself.");
  const dir = path.join(store.root, "tmp");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `upload-${randomBytes(6).toString("hex")}.tar`);
  try {
    let received = 0;
    let tooLarge: ArchiveTooLargeError | null = null;
    const body = Readable.fromWeb(req.body as import("node:stream/web").ReadableStream<Uint8Array>);
    await pipeline(
      body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          received += chunk.length;
          if (received > limit) throw (tooLarge = new ArchiveTooLargeError(`The upload passed the ${limit}-byte limit.`, { limit }));
          yield chunk;
        }
      },
      fs.createWriteStream(file, { mode: 0o600 }),
    ).catch((err: unknown) => {
      // pipeline() may report our refusal as the AbortError it destroyed the streams with.
      throw tooLarge ?? err;
    });
    const filename = path.basename(query.filename ?? "upload.tar");
    return await store.importArchive(file, { name: query.name, filename, detail: `upload ${filename}`, signal: req.signal });
  } finally {
    fs.rmSync(file, { force: true });
  }
}
