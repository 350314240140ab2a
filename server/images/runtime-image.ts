import "server-only";
import { BUILT_IN_IMAGE } from "@/lib/images/ref";
import type { InstanceKind } from "@/lib/core/types";
import { effectiveEnv, VM_INIT_PATH } from "@/lib/vm/init";
import { InvalidRequestError } from "@/server/errors";
import type { ImageRef } from "@/server/engine/contract";
import type { BuiltProbe } from "./probe-pack";
import type { UnpackedImage } from "./rootfs-cache";

// The engine adapter: an image of the store as the ImageRef an engine runs.

export interface RuntimeImageSources {
  builtProbe(): Promise<BuiltProbe | null>;
  rootfsFor(ref: string): Promise<UnpackedImage>;
  initramfsFor(ref: string, rootfs: UnpackedImage): Promise<string>;
  initramfsPath(digest: string, probeInputs: string): string;
}

/**
 * What an engine needs to run an image of the store. Containers get the
 * rootfs (the initramfs path is where it goes once a VM needs it); VMs get
 * both. A bare process runs only the built-in probe.
 */
export async function runtimeImage(store: RuntimeImageSources, ref: string, kind: InstanceKind): Promise<ImageRef> {
  if (kind === "process") {
    throw new InvalidRequestError(
      `A bare process runs only the built-in "${BUILT_IN_IMAGE}" image on the host; "${ref}" has a root filesystem of its own: run it as a container or a VM.`,
      { field: "image" },
    );
  }
  const built = await store.builtProbe();
  if (!built) throw new InvalidRequestError("The probe image is not built: run `npm run setup`.");
  const rootfs = await store.rootfsFor(ref);
  const initramfs = kind === "vm" ? await store.initramfsFor(ref, rootfs) : store.initramfsPath(rootfs.image.digest, built.inputsHash);
  const { image } = rootfs;
  return {
    name: image.ref,
    rootfsDir: rootfs.rootfsDir,
    initramfsPath: initramfs,
    probePath: built.probePath,
    entrypoint: [...image.entrypoint, ...image.cmd],
    env: effectiveEnv(image.env),
    cwd: image.workingDir || "/",
    ...(image.user ? { user: image.user } : {}),
    hasProbe: image.hasProbe,
    vmInit: VM_INIT_PATH,
  };
}
