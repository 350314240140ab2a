// Domain types shared by server, API and UI. Raw shapes from driven systems
// (runc JSON, QMP replies, cgroup files) are named after their source and live
// beside their drivers; these are the plain names the rest of Isolab uses.

export const INSTANCE_KINDS = ["process", "container", "vm"] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];

export type Accel = "kvm" | "tcg";

/** creating → running → stopping → stopped | exited | failed */
export type InstanceState = "creating" | "running" | "stopping" | "stopped" | "exited" | "failed";

/** One timed step of a start, in host monotonic milliseconds. */
export interface StartupPhase {
  name: string;
  ms: number;
}

export interface Startup {
  totalMs: number;
  phases: StartupPhase[];
}

export interface Instance {
  id: string;
  name: string;
  kind: InstanceKind;
  image: string;
  state: InstanceState;
  memoryMiB: number;
  /** A container started with no memory limit (only the isolation experiment's hog): memoryMiB is then Isolab's budget for it, not a kernel limit. */
  unlimitedMemory?: boolean;
  /** Container only: started "root on the host" — no user namespace, no seccomp filter, every capability. */
  privileged?: boolean;
  /** Set when an experiment started it (and will remove it); the sampler leaves its guest alone. */
  experimentId?: string;
  cpus: number;
  accel?: Accel;
  runtime?: string;
  pid?: number;
  createdAt: string;
  startup?: Startup;
  /** Why it failed or exited, in words a user can act on. */
  reason?: string;
  exitCode?: number;
  /** The signal that ended it, when one did ("SIGKILL" from outside, or the OOM killer's). */
  exitSignal?: string;
  /** Last lines of the console or log when a start failed. */
  consoleTail?: string;
  /** false: its image has no probe, so there is no guest view and no command runs inside. */
  probe?: boolean;
  /**
   * VM only: "cold" (booted), "warm" (restored from a full snapshot: its
   * template's, or one named at launch), "template" (a clone of a
   * shared-memory template) or "pooled" (a template clone the pool had
   * started ahead; only attached at launch).
   */
  startMode?: VmStartMode;
  /** VM only: the snapshot a warm VM was restored from. */
  snapshotId?: string;
}

/** Result of running one probe command inside an instance. */
export interface ExecResult {
  exitCode: number;
  output: string;
  json?: unknown;
  durationMs: number;
}

/** Probe commands the API accepts; anything else is refused. */
/** How a VM was started (ARCHITECTURE.md "VM start modes"). */
export const VM_START_MODES = ["cold", "warm", "template", "pooled"] as const;
export type VmStartMode = (typeof VM_START_MODES)[number];

export const PROBE_COMMANDS = ["info", "cpu", "mem", "syscall", "stream", "io", "latency", "ping", "hostile"] as const;
export type ProbeCommand = (typeof PROBE_COMMANDS)[number];

export type CgroupVersion = "v1" | "hybrid" | "v2";

/** What GET /api/host answers: the machine every figure was measured on. */
export interface HostInfo {
  hostname: string;
  os: string;
  kernelRelease: string;
  cpu: { model: string; cores: number };
  memory: { totalBytes: number; availableBytes: number; swapTotalBytes: number };
  cgroup: { version: CgroupVersion };
  runtime: { name: string; version?: string; available: boolean; reason?: string };
  qemu: { version?: string; available: boolean; reason?: string };
  /** null until the accelerator has been probed. */
  accelerator: { accel: Accel; reason: string; checkedAt?: string } | null;
  limits: { maxInstances: number; maxMemoryMiB: number };
  /** The warm pool of templated VMs and what its waiting QEMUs cost now (their smaps_rollup); absent when the host card's caller has no VM engine. */
  vmPool?: VmPoolInfo;
  measuredAt: string;
}

/** ISOLAB_VM_POOL_SIZE and, per templated machine, the clones waiting and their memory (PSS, RSS of their QEMUs). */
export interface VmPoolInfo {
  size: number;
  slots: { image: string; memoryMiB: number; target: number; waiting: number; pssBytes: number; rssBytes: number; lastError?: string }[];
}
