import "server-only";
import type { OciSeccomp } from "@/lib/container/seccomp";
import type { IdRange } from "@/lib/container/userns";
import { CAPABILITY_NAMES } from "@/lib/container/capabilities";
import type { OciCapability, OciMount, OciNamespaceType, OciSpec } from "@/lib/schemas/oci-spec";
import { InvalidRequestError } from "@/server/errors";

// Pure: a typed description of one Isolab container → the OCI config.json
// runc/crun run. Defaults follow `runc spec` wherever Isolab has no reason to
// differ, so "container" in every comparison means what runc means by it.

/** Ids end up in paths (bundle, cgroup, runtime root): no dots, no slashes. */
export const CONTAINER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function assertContainerId(id: string): void {
  if (!CONTAINER_ID_PATTERN.test(id)) {
    throw new InvalidRequestError(`"${id}" is not a valid container id (lowercase letters, digits and dashes, at most 63).`);
  }
}

const HOSTNAME_PATTERN = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** The instance name when it is a valid hostname, else the id (always valid). */
export function hostnameFor(name: string, id: string): string {
  return HOSTNAME_PATTERN.test(name) ? name : id;
}

export interface ContainerSpec {
  id: string;
  /** Absolute path; mounted read-only and shared between containers, never copied. */
  rootfsDir: string;
  args: string[];
  env: Record<string, string>;
  /** Working directory of the process; "/" when absent. */
  cwd?: string;
  hostname: string;
  /** null: no memory limit at all, only accounting (the isolation experiment's unlimited hog). */
  memoryMiB: number | null;
  /** Fractional CPUs become a CFS quota over CPU_PERIOD_US. */
  cpus: number;
  pidsLimit: number;
  /** Size cap of the /tmp tmpfs; tmpfs pages are charged to the container's memory cgroup. */
  tmpSizeMiB: number;
  annotations?: Record<string, string>;
  /** The image's User, resolved in its rootfs; root when absent. */
  user?: { uid: number; gid: number; additionalGids: number[] };
  /** Container root → these host ids (a user namespace); absent: no user namespace, root is host root. */
  idMap?: { uid: IdRange; gid: IdRange };
  /** The OCI seccomp filter; absent: no filter. */
  seccomp?: OciSeccomp;
  /** "Root on the host": every capability, no no_new_privs, no masked paths, writable /sys. Refused with idMap or seccomp. */
  privileged?: boolean;
  /** A privileged container's set: ALL_CAPABILITIES less any Isolab itself does not hold (runc cannot grant those). */
  privilegedCapabilities?: OciCapability[];
}

export interface HostCgroupInfo {
  /** A cgroup namespace is only unshared on v2, where it hides the host's hierarchy cleanly. */
  unified: boolean;
  /** Parent of the container's cgroup (server/container/cgroup-placement.ts); "/isolab" when absent. */
  cgroupParent?: string;
}

export const CPU_PERIOD_US = 100_000;
const MIB = 1024 * 1024;

/** runc's default set minus CAP_AUDIT_WRITE: the probe only signals and binds. */
export const CONTAINER_CAPABILITIES: OciCapability[] = ["CAP_KILL", "CAP_NET_BIND_SERVICE"];

/** Docker's default set (moby oci/caps/defaults.go): Isolab's must stay inside it. */
export const DOCKER_DEFAULT_CAPABILITIES: OciCapability[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

/** Every capability runc 1.1 knows (`runc features`), in the kernel's order: a privileged container's set. */
export const ALL_CAPABILITIES: OciCapability[] = [...CAPABILITY_NAMES];

/** The bounding set a container gets; seccomp rules conditioned on capabilities are decided against it. */
export function capabilitiesFor(privileged: boolean | undefined): OciCapability[] {
  return privileged ? ALL_CAPABILITIES : CONTAINER_CAPABILITIES;
}

// The lists `runc spec` writes (runc 1.1), plus powercap (RAPL energy
// counters leak host activity; newer runc masks it too).
export const MASKED_PATHS = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
  "/sys/devices/virtual/powercap",
];
export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** `<parent>/<id>`: parent is /isolab, or `<own cgroup>/isolab` when systemd delegated Isolab's cgroup (cgroup v2). */
export function cgroupsPathFor(id: string, parent = "/isolab"): string {
  return `${parent}/${id}`;
}

export function buildOciSpec(spec: ContainerSpec, host: HostCgroupInfo): OciSpec {
  assertContainerId(spec.id);
  if (!spec.rootfsDir.startsWith("/")) throw new InvalidRequestError(`rootfs must be an absolute path, got ${spec.rootfsDir}`);
  if (spec.args.length === 0) throw new InvalidRequestError("a container needs a program to run");
  if ((spec.memoryMiB !== null && !(spec.memoryMiB > 0)) || !(spec.cpus > 0) || !(spec.pidsLimit > 0) || !(spec.tmpSizeMiB > 0)) {
    throw new InvalidRequestError("memory, cpus, pids limit and /tmp size must be positive");
  }
  if (!HOSTNAME_PATTERN.test(spec.hostname)) throw new InvalidRequestError(`"${spec.hostname}" is not a valid hostname`);
  if (spec.privileged && (spec.idMap || spec.seccomp)) throw new InvalidRequestError("a privileged container has no user namespace and no seccomp filter");
  const cwd = spec.cwd || "/";
  if (!cwd.startsWith("/") || cwd.split("/").includes("..")) throw new InvalidRequestError(`the working directory must be absolute without "..", got ${cwd}`);
  const user = spec.user ?? { uid: 0, gid: 0, additionalGids: [] };
  const memoryBytes = spec.memoryMiB === null ? null : Math.round(spec.memoryMiB * MIB);
  const namespaces: OciNamespaceType[] = ["pid", "network", "ipc", "uts", "mount"];
  if (host.unified) namespaces.push("cgroup");
  if (spec.idMap) namespaces.push("user");
  const caps = spec.privileged ? (spec.privilegedCapabilities ?? ALL_CAPABILITIES) : CONTAINER_CAPABILITIES;
  // As Docker does: a user other than root keeps the bounding set but holds no capability.
  const held = user.uid === 0 ? caps : [];
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: [...user.additionalGids] } : {}) },
      args: [...spec.args],
      env: Object.entries({ PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...spec.env }).map(([k, v]) => `${k}=${v}`),
      cwd,
      capabilities: { bounding: [...caps], effective: [...held], permitted: [...held] },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: !spec.privileged,
    },
    root: { path: spec.rootfsDir, readonly: true },
    hostname: spec.hostname,
    mounts: containerMounts(spec.tmpSizeMiB, spec.privileged === true),
    ...(spec.annotations ? { annotations: { ...spec.annotations } } : {}),
    linux: {
      cgroupsPath: cgroupsPathFor(spec.id, host.cgroupParent),
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        // swap == limit: no swap on top of the limit, so usage is all RAM.
        ...(memoryBytes === null ? {} : { memory: { limit: memoryBytes, swap: memoryBytes } }),
        cpu: { quota: Math.max(1000, Math.round(spec.cpus * CPU_PERIOD_US)), period: CPU_PERIOD_US },
        pids: { limit: spec.pidsLimit },
      },
      namespaces: namespaces.map((type) => ({ type })),
      // Docker's --privileged unmasks too: with CAP_SYS_ADMIN a mask is only a mount to undo.
      maskedPaths: spec.privileged ? [] : [...MASKED_PATHS],
      readonlyPaths: spec.privileged ? [] : [...READONLY_PATHS],
      ...(spec.idMap
        ? {
            uidMappings: [{ containerID: 0, hostID: spec.idMap.uid.start, size: spec.idMap.uid.count }],
            gidMappings: [{ containerID: 0, hostID: spec.idMap.gid.start, size: spec.idMap.gid.count }],
          }
        : {}),
      ...(spec.seccomp ? { seccomp: spec.seccomp } : {}),
    },
  };
}

// /sys/fs/cgroup is deliberately absent: on v1 runc would bind every
// controller in one by one, which costs start time and shows the guest the
// host's hierarchy layout.
function containerMounts(tmpSizeMiB: number, privileged: boolean): OciMount[] {
  return [
    { destination: "/proc", type: "proc", source: "proc" },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
    },
    { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", privileged ? "rw" : "ro"] },
    {
      destination: "/tmp",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "nodev", "mode=1777", `size=${Math.round(tmpSizeMiB * 1024)}k`],
    },
  ];
}
