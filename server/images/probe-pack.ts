import "server-only";
import fs from "node:fs";
import path from "node:path";
import { ANNOTATIONS, type OciDescriptor } from "@/lib/schemas/oci-image";
import type { CommitOrigin } from "./catalog";
import { STAGE_REF, type Staging } from "./staging";
import { runToolOrThrow, transports } from "./tools";

// The built-in probe image as an OCI image: umoci packs the rootfs
// scripts/build-image.sh made (without /dev/console: a runtime provides that,
// and device nodes are refused in every image), with /bin/probe serve as its
// entrypoint. The store does this once per probe build, keyed by the build's
// inputs hash, kept as an annotation.

/** What the store needs of the probe build (server/images/store.ts). */
export interface BuiltProbe {
  rootfsDir: string;
  probePath: string;
  busyboxPath: string;
  inputsHash: string;
  builtAt: string;
}

/** True when the store's probe image (its descriptor) was packed from this build. */
export function packedFrom(d: OciDescriptor | undefined, built: BuiltProbe): boolean {
  return d?.annotations?.[ANNOTATIONS.probeInputs] === built.inputsHash;
}

/** Packs the probe build into the staging layout, under the staging reference. */
export async function packProbe(staged: Staging, built: BuiltProbe): Promise<void> {
  const ref = transports.ociLayout(staged.layout, STAGE_REF).slice("oci:".length);
  const rootfs = path.join(staged.dir, "rootfs");
  await runToolOrThrow("cp", ["-a", built.rootfsDir, rootfs], "copying the probe rootfs");
  fs.rmSync(path.join(rootfs, "dev", "console"), { force: true });
  await runToolOrThrow("umoci", ["init", "--layout", staged.layout], "umoci init");
  await runToolOrThrow("umoci", ["new", "--image", ref], "umoci new");
  await runToolOrThrow("umoci", ["insert", "--image", ref, "--history.created_by", "scripts/build-image.sh", rootfs, "/"], "umoci insert");
  // prettier-ignore
  await runToolOrThrow("umoci", [
    "config", "--image", ref,
    "--config.entrypoint", "/bin/probe", "--config.cmd", "serve",
    "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "--config.workingdir", "/",
    "--author", "Isolab (scripts/build-image.sh)",
    "--created", built.builtAt,
    "--history.created_by", "isolab: entrypoint /bin/probe serve",
  ], "umoci config");
  await runToolOrThrow("umoci", ["gc", "--layout", staged.layout], "umoci gc");
}

/** Where the store's probe image came from: this build. */
export function probeOrigin(built: BuiltProbe): CommitOrigin {
  return {
    kind: "built",
    detail: "scripts/build-image.sh (npm run setup)",
    extra: { [ANNOTATIONS.probeInputs]: built.inputsHash },
  };
}
