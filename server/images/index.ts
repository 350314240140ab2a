import "server-only";
import path from "node:path";
import { isBuiltInRef } from "@/lib/images/ref";
import type { InstanceKind } from "@/lib/core/types";
import { isIsolabError } from "@/server/errors";
import type { ImageRef } from "@/server/engine/contract";
import type { BuiltProbe, OciStore } from "./oci-store";
import { getImage } from "./store";

// How an image reference becomes what an engine runs. The store itself is
// built once, by the wiring point (server/app/create-app.ts).

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

export type ResolveImage = (ref: string, kind?: InstanceKind) => Promise<ImageRef>;

/**
 * An image reference as an engine runs it: the built-in `probe` from its
 * own build (so every existing measurement keeps its tuned initramfs),
 * anything else from the OCI store.
 */
export function imageResolver(store: OciStore): ResolveImage {
  return async (ref, kind) => {
    if (ref === "probe" || isBuiltInRef(ref)) return getImage("probe");
    return store.runtimeImage(ref, kind ?? "container");
  };
}
