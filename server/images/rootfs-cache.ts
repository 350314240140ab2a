import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { ImageSummary } from "@/lib/schemas/image";
import { mountedRoots } from "./mounts";
import type { SingleFlight } from "./single-flight";
import type { Staging } from "./staging";
import { sanitizeRootfs } from "./rootfs-sanitize";
import { runToolOrThrow } from "./tools";

// Unpacked root filesystems, one per manifest digest, shared read-only by
// every container of that image:
//   <root>/rootfs/<manifest hex>/   (umoci raw unpack, then the mount points)
// Unpacked in staging and moved in by rename, so a reader never sees half of one.

export interface UnpackedImage {
  image: ImageSummary;
  rootfsDir: string;
}

export function createRootfsCache(o: { dir: string; layout: string; stage: () => Staging; once: SingleFlight }) {
  /** The rootfs of an image of the layout (the caller holds the store's read lock). */
  async function unpack(image: ImageSummary): Promise<UnpackedImage> {
    const hex = image.digest.slice("sha256:".length);
    const dir = path.join(o.dir, hex);
    if (fs.existsSync(dir)) return { image, rootfsDir: dir };
    await o.once(`rootfs:${hex}`, async () => {
      const staged = o.stage();
      try {
        const tmp = path.join(staged.dir, "rootfs");
        await runToolOrThrow("umoci", ["raw", "unpack", "--image", `${o.layout}:${image.ref}`, tmp], `unpacking ${image.ref}`);
        // What umoci wrote, checked and stripped of setuid/setgid and file capabilities before anyone uses it.
        sanitizeRootfs(tmp);
        addMountPoints(tmp);
        fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
        try {
          fs.renameSync(tmp, dir);
        } catch (err) {
          if (!fs.existsSync(dir)) throw err; // else another process unpacked it first
        }
      } finally {
        staged.remove();
      }
    });
    return { image, rootfsDir: dir };
  }

  /** Removes the rootfs of every digest not in `live`, unless a container's root is still there. */
  function prune(live: Set<string>): void {
    const mounted = mountedRoots();
    for (const hex of fs.readdirSync(o.dir, { withFileTypes: true }).map((d) => d.name)) {
      if (live.has(hex) || mounted.some((m) => m.includes(`/rootfs/${hex}`))) continue;
      fs.rmSync(path.join(o.dir, hex), { recursive: true, force: true });
    }
  }

  return { unpack, prune };
}

/**
 * The root is shared and read-only in every container, so the runtime cannot
 * create mount points in it: make the usual ones (only where nothing exists).
 */
function addMountPoints(rootfs: string) {
  fs.chmodSync(rootfs, 0o755);
  for (const d of ["proc", "sys", "dev", "tmp"]) {
    const p = path.join(rootfs, d);
    if (fs.lstatSync(p, { throwIfNoEntry: false })) continue;
    fs.mkdirSync(p, { mode: d === "tmp" ? 0o1777 : 0o755 });
  }
}
