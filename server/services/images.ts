import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { attachInstances } from "@/lib/images/lineage";
import type { ImageWithInstances, ImportQuery, ImportResult } from "@/lib/schemas/image";
import type { App } from "@/server/app/create-app";
import { ArchiveTooLargeError, ImageToolError } from "@/server/images/errors";

// What the routes (and Figure 2.4) ask of the image store, with the
// supervisor's instances beside each image.

/**
 * Every image in the store — where it came from (built, imported, pulled
 * from which registry) and the instances started from it. Figure 2.4's data.
 */
export async function listImagesWithInstances(app: App): Promise<ImageWithInstances[]> {
  return attachInstances(await app.images.list(), app.supervisor.list());
}

export async function getImageWithInstances(app: App, ref: string): Promise<ImageWithInstances> {
  return attachInstances([await app.images.get(ref)], app.supervisor.list())[0];
}

/** The store refuses it (409) while a live instance runs from it; removes its blobs and caches no other image shares. */
export function deleteImage(app: App, ref: string): Promise<void> {
  return app.images.remove(ref);
}

/**
 * An archive in the request body (streamed to a staging file, refused at the
 * limit before or while it arrives), then imported like a file.
 */
export async function importUpload(app: App, req: Request, query: ImportQuery): Promise<ImportResult> {
  const store = app.images;
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
