import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { goArchOf, toOciSeccomp, type OciSeccomp } from "@/lib/container/seccomp";
import { MissingDependencyError } from "@/server/errors";

// The seccomp filter of a confined container: the containers-common default
// profile (Debian's golang-github-containers-common, installed with skopeo),
// the one Podman applies, translated to the OCI form for this host's arch,
// kernel and the container's capabilities.
//
// Translated at the first start and cached by the profile's sha256 and the
// capability set: the translation cost 3 ms here under load (npm run bench --
// --only confinement), the 16 KiB read and hash far less, so a start re-reads the file (an upgrade of containers-common is
// picked up without a restart) but translates once.

export const SECCOMP_PROFILE_PATH = "/usr/share/containers/seccomp.json";
const MAX_PROFILE_BYTES = 1024 * 1024;

const cache = new Map<string, OciSeccomp>();

export function seccompProfileFor(caps: readonly string[], profilePath = SECCOMP_PROFILE_PATH): OciSeccomp {
  let text: Buffer;
  try {
    if (fs.statSync(profilePath).size > MAX_PROFILE_BYTES) throw new Error(`${profilePath} is larger than 1 MiB`);
    text = fs.readFileSync(profilePath);
  } catch (err) {
    throw new MissingDependencyError(
      "seccomp",
      `The seccomp profile ${profilePath} cannot be read (${(err as Error).message}); it comes with Debian's golang-github-containers-common (skopeo depends on it).`,
    );
  }
  const key = `${createHash("sha256").update(text).digest("hex")}:${[...caps].sort().join(",")}`;
  const known = cache.get(key);
  if (known) return known;
  const oci = toOciSeccomp(JSON.parse(text.toString("utf8")), { goArch: goArchOf(process.arch), caps, kernelRelease: os.release() });
  cache.set(key, oci);
  return oci;
}
