import "server-only";
import fs from "node:fs";
import path from "node:path";

// Staging: a private directory under <root>/tmp/ for each import, pull, probe
// pack or unpack, on the store's file system so its result moves in by
// rename. Untrusted input is checked there and never reaches the store unless
// every check passed.

/** The reference an image has inside a staging layout, whatever it will be called in the store. */
export const STAGE_REF = "staged";

export interface Staging {
  dir: string;
  layout: string;
  remove(): void;
}

export function stageIn(tmp: string): Staging {
  fs.mkdirSync(tmp, { recursive: true });
  const dir = fs.mkdtempSync(path.join(tmp, "stage-"));
  return { dir, layout: path.join(dir, "oci"), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A killed server or CLI leaves its staging behind; nothing stages for this long, and no other process still uses it. */
const STALE_STAGING_MS = 6 * 3600_000;

export function sweepStaging(tmp: string) {
  for (const e of fs.readdirSync(tmp)) {
    const p = path.join(tmp, e);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > STALE_STAGING_MS) fs.rmSync(p, { recursive: true, force: true });
  }
}
