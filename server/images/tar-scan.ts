import "server-only";
import fs from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { TarFormatError, type TarReader } from "@/lib/images/tar";
import { LayerTooLargeError, MalformedArchiveError } from "./errors";

// One streaming read of a tar file (gunzipped when asked) through a tar
// reader, for both checking passes (archive-check.ts, layout-check.ts).

export interface ScanOptions {
  /** Names the tar in messages ("The archive", "layer 2 of 3 (…)"). */
  what: string;
  onPacked?: (chunk: Buffer) => void;
  onUnpacked?: (chunk: Buffer) => void;
  maxUnpackedBytes: number;
}

/** Streams a file (gunzipped when asked) through a tar reader; tar format errors become MalformedArchiveError. */
export async function scanTar(file: string, gzip: boolean, tar: TarReader, opts: ScanOptions): Promise<void> {
  let unpacked = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      opts.onPacked?.(chunk);
      cb(null, chunk);
    },
  });
  // pipeline() reports an error thrown while consuming as the AbortError it
  // destroys the streams with; the first real one is kept here.
  let failure: unknown = null;
  const consume = async (source: AsyncIterable<Buffer>) => {
    try {
      for await (const chunk of source) {
        unpacked += chunk.length;
        // A gzip bomb is stopped by bytes, before its entries add up.
        if (unpacked > opts.maxUnpackedBytes + 1024 * 1024) {
          throw new LayerTooLargeError(`${opts.what} unpacks to more than ${opts.maxUnpackedBytes} bytes.`);
        }
        opts.onUnpacked?.(chunk);
        tar.push(chunk);
      }
    } catch (err) {
      failure ??= err;
      throw err;
    }
  };
  try {
    try {
      if (gzip) await pipeline(fs.createReadStream(file), tap, createGunzip(), consume);
      else await pipeline(fs.createReadStream(file), tap, consume);
    } catch (err) {
      throw failure ?? err;
    }
    tar.finish();
  } catch (err) {
    if (err instanceof TarFormatError) throw new MalformedArchiveError(`${opts.what} is not a valid tar archive: ${err.message}.`);
    if ((err as NodeJS.ErrnoException).code?.startsWith("Z_")) {
      throw new MalformedArchiveError(`${opts.what} is not valid gzip: ${(err as Error).message}.`);
    }
    throw err;
  }
}
