import "server-only";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { decodeCapabilities } from "@/lib/container/capabilities";
import type { OciSeccomp } from "@/lib/container/seccomp";
import type { OciCapability } from "@/lib/schemas/oci-spec";
import { InvalidRequestError } from "@/server/errors";
import type { StartRequest } from "@/server/engine/contract";
import { hostIdRanges, type HostIdRanges } from "./id-range";
import { imageUser, imageWorkingDir } from "./image-checks";
import { seccompProfileFor } from "./seccomp-profile";
import { shiftedRootfs } from "./shifted-rootfs";
import { ALL_CAPABILITIES, capabilitiesFor } from "./spec";

/** ALL_CAPABILITIES ∩ Isolab's own bounding set (a sandboxed host may lack some, e.g. CAP_SYS_RESOURCE). */
function heldCapabilities(): OciCapability[] {
  const line = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
  const held = new Set(line ? (decodeCapabilities(line[1]) ?? []) : []);
  return ALL_CAPABILITIES.filter((c) => held.has(c));
}

// What a container is confined by, decided per start: the image's user and
// working directory (checked in its rootfs), and unless the instance is
// privileged a user namespace (root → an unprivileged host range, on a copy
// of the rootfs shifted into it) and the seccomp filter. The engine applies
// both by default; the bench turns each off to price it.

export interface ConfineOptions {
  seccomp: boolean;
  userns: boolean;
}

export const CONFINED: ConfineOptions = { seccomp: true, userns: true };

export interface Confinement {
  /** The rootfs the runtime mounts: the image's own, or its shifted copy. */
  rootfsDir: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  cwd: string;
  idMap?: HostIdRanges;
  seccomp?: OciSeccomp;
  privileged?: boolean;
  /** A privileged container's capabilities: every one Isolab holds itself. */
  privilegedCapabilities?: OciCapability[];
  /** Set when this start made the shifted copy (the first start of an image): what it cost, ms. */
  shiftMs?: number;
}

export async function confinementFor(req: StartRequest, stateDir: string, confine: ConfineOptions): Promise<Confinement> {
  const imageRoot = path.resolve(req.image.rootfsDir);
  const user = imageUser(imageRoot, req.image.user);
  const cwd = imageWorkingDir(imageRoot, req.image.cwd);
  if (req.privileged) return { rootfsDir: imageRoot, user, cwd, privileged: true, privilegedCapabilities: heldCapabilities() };
  const out: Confinement = { rootfsDir: imageRoot, user, cwd };
  if (confine.userns) {
    const ranges = hostIdRanges();
    const beyond = [user.uid, user.gid, ...user.additionalGids].find((id) => id >= ranges.uid.count);
    if (beyond !== undefined) {
      throw new InvalidRequestError(`The image's User "${req.image.user}" needs id ${beyond}, beyond the ${ranges.uid.count} ids a confined container maps.`, {
        field: "User",
      });
    }
    const t0 = performance.now();
    const shifted = await shiftedRootfs(stateDir, imageRoot, ranges);
    out.rootfsDir = shifted.dir;
    out.idMap = ranges;
    if (shifted.copied) out.shiftMs = performance.now() - t0;
  }
  if (confine.seccomp) out.seccomp = seccompProfileFor(capabilitiesFor(false));
  return out;
}
