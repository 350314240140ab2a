import "server-only";
import fs from "node:fs";
import { parseCgroupMounts } from "@/lib/host/cgroup-mounts";
import { UnsupportedHostError } from "./errors";
import { OciCliRuntime } from "./oci-cli-runtime";

const HYBRID_REFUSAL = /hybrid mode not supported/i;
const HYBRID_HINT =
  "crun 1.8 refuses cgroup v1 'hybrid' hosts whose cgroup2 mount holds controllers (it says: " +
  '"cgroups in hybrid mode not supported, drop all controllers from cgroupv2"). ' +
  "Use runc here: set ISOLAB_OCI_RUNTIME=runc.";

/** crun: same CLI as runc, faster to start, but refuses hybrid cgroup hosts. */
export class CrunRuntime extends OciCliRuntime {
  constructor(
    root: string,
    binary = "crun",
    private readonly procMounts: () => string = () => fs.readFileSync("/proc/mounts", "utf8"),
  ) {
    super("crun", root, binary);
  }

  /** Refuses up front what `crun create` would refuse later, so the UI can say why before any start. */
  override async check(): Promise<void> {
    await super.check();
    const mounts = parseCgroupMounts(this.procMounts());
    const hasV1Controllers = mounts.some((m) => m.version === 1 && m.controllers.length > 0);
    const unified = mounts.find((m) => m.version === 2);
    if (hasV1Controllers && unified && readControllers(unified.mountPoint).length > 0) {
      throw new UnsupportedHostError(HYBRID_HINT, { runtime: "crun", part: "cgroups" });
    }
  }

  protected override explainLaunchFailure(logTail: string): Error | null {
    return HYBRID_REFUSAL.test(logTail) ? new UnsupportedHostError(HYBRID_HINT, { runtime: "crun", logTail }) : null;
  }

  // crun prefixes its own errors with "crun: " and exits non-zero.
  protected isExecFailure(exitCode: number, stderr: string): boolean {
    return exitCode !== 0 && /^crun: /m.test(stderr);
  }
}

function readControllers(mountPoint: string): string[] {
  try {
    return fs.readFileSync(`${mountPoint}/cgroup.controllers`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}
