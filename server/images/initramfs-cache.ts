import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { VM_INIT_VERSION } from "@/lib/vm/init";
import { packInitramfs } from "./initramfs";
import type { BuiltProbe } from "./probe-pack";
import type { UnpackedImage } from "./rootfs-cache";
import type { SingleFlight } from "./single-flight";

// The initramfs a VM of an image boots: its rootfs plus Isolab's init,
// busybox and probe (initramfs.ts), built once per (manifest digest, probe
// build, init version):
//   <root>/initramfs/<manifest hex>-<key>.cpio

export function createInitramfsCache(o: { dir: string; once: SingleFlight }) {
  /** Where the initramfs of a manifest digest goes for this probe build, built or not. */
  function pathFor(digest: string, probeInputs: string): string {
    const key = createHash("sha256").update(`${probeInputs} ${VM_INIT_VERSION}`).digest("hex").slice(0, 12);
    return path.join(o.dir, `${digest.slice("sha256:".length)}-${key}.cpio`);
  }

  /** The initramfs of an unpacked image, built on first use. */
  async function build({ image, rootfsDir }: UnpackedImage, built: BuiltProbe): Promise<string> {
    const file = pathFor(image.digest, built.inputsHash);
    if (fs.existsSync(file)) return file;
    await o.once(`initramfs:${file}`, async () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await packInitramfs(
        {
          rootfsDir,
          spec: { argv: [...image.entrypoint, ...image.cmd], env: image.env, cwd: image.workingDir },
          busyboxPath: built.busyboxPath,
          probePath: built.probePath,
        },
        file,
      );
    });
    return file;
  }

  /** Removes the initramfs files of every digest not in `live`. */
  function prune(live: Set<string>): void {
    for (const f of fs.readdirSync(o.dir)) {
      if (!live.has(f.split("-")[0])) fs.rmSync(path.join(o.dir, f), { force: true });
    }
  }

  return { pathFor, build, prune };
}
