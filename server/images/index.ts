import "server-only";
import path from "node:path";
import { isBuiltInRef } from "@/lib/images/ref";
import type { InstanceKind } from "@/lib/core/types";
import { config } from "@/server/config";
import { isIsolabError } from "@/server/errors";
import type { ImageRef } from "@/server/engine/contract";
import { createOciStore, type BuiltProbe, type OciStore } from "./oci-store";
import { getImage } from "./store";

// The one image store of this server: under the state directory (see
// ARCHITECTURE.md, "Images and the registry"), on globalThis because every
// route bundle loads its own copy of this module.

export const IMAGE_STORE_DIR = path.join(config.stateDir, "image-store");

/** The probe build scripts/build-image.sh made, or null when it is missing. */
export async function builtProbe(): Promise<BuiltProbe | null> {
  try {
    const image = await getImage("probe");
    return {
      rootfsDir: image.rootfsDir,
      probePath: image.probePath,
      busyboxPath: path.join(image.rootfsDir, "bin", "busybox"),
      inputsHash: image.meta.inputsHash,
      builtAt: image.meta.builtAt,
    };
  } catch (err) {
    if (isIsolabError(err) && err.status === 503) return null;
    throw err;
  }
}

const KEY = Symbol.for("isolab.image-store");
type Holder = { [KEY]?: OciStore };

export function imageStore(): OciStore {
  const holder = globalThis as Holder;
  holder[KEY] ??= createOciStore({ root: IMAGE_STORE_DIR, builtProbe });
  return holder[KEY];
}

/**
 * An image reference as an engine runs it: the built-in `probe` from its
 * own build (so every existing measurement keeps its tuned initramfs),
 * anything else from the OCI store.
 */
export async function resolveImage(ref: string, kind?: InstanceKind): Promise<ImageRef> {
  if (ref === "probe" || isBuiltInRef(ref)) return getImage("probe");
  return imageStore().runtimeImage(ref, kind ?? "container");
}
