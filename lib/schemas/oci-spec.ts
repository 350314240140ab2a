// The part of the OCI runtime-spec `config.json` Isolab writes
// (https://github.com/opencontainers/runtime-spec/blob/main/config.md).
import type { OciSeccomp } from "@/lib/container/seccomp";

// Types only: Isolab builds this object, it never reads one back.

export type OciCapability = `CAP_${string}`;

export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export type OciNamespaceType = "pid" | "network" | "mount" | "ipc" | "uts" | "user" | "cgroup";

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: {
      bounding: OciCapability[];
      effective: OciCapability[];
      permitted: OciCapability[];
      inheritable?: OciCapability[];
    };
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: {
    cgroupsPath: string;
    resources: {
      devices: { allow: boolean; access: string }[];
      /** Absent: no memory limit (the cgroup still accounts usage). */
      memory?: { limit: number; swap: number };
      cpu: { quota: number; period: number };
      pids: { limit: number };
    };
    namespaces: { type: OciNamespaceType }[];
    maskedPaths: string[];
    readonlyPaths: string[];
    uidMappings?: OciIdMapping[];
    gidMappings?: OciIdMapping[];
    seccomp?: OciSeccomp;
  };
}
