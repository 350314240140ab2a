import "server-only";
import type { Accel, InstanceKind, Startup, VmStartMode } from "@/lib/core/types";
import type { SnapshotMeta } from "@/lib/schemas/snapshot";
import type { HostUsageReaders, HostUsageReading } from "./host-usage";

export type { HostUsageReaders, HostUsageReading } from "./host-usage";

// The contract between the supervisor and each driven system. One engine per
// kind: process (server/process/engine.ts), container
// (server/container/engine.ts), vm (server/vm/engine.ts).

/** A built image, as the engines need it. */
export interface ImageRef {
  name: string;
  /** Root filesystem directory; containers use it read-only and shared. */
  rootfsDir: string;
  /** The same rootfs packed as an uncompressed newc initramfs, with /init. */
  initramfsPath: string;
  /** Absolute path of the probe binary on the host (rootfsDir/bin/probe; the built-in probe's for OCI images). */
  probePath: string;
  // An image of the OCI store (server/images/oci-store.ts) says how to run it;
  // the built-in probe image leaves these out and runs `/bin/probe serve`.
  /** Entrypoint followed by cmd: the container's process, the program the VM's init starts. */
  entrypoint?: string[];
  /** "KEY=value" entries. */
  env?: string[];
  /** Working directory of the entrypoint. */
  cwd?: string;
  /** The image's `User` (name or uid[:gid]), resolved in its rootfs at a container's start; root when absent. */
  user?: string;
  /** false: no /bin/probe inside, so a container of it has no guest view and runs no commands. */
  hasProbe?: boolean;
  /** The VM's init inside the initramfs (`rdinit=`), when it is not /init. */
  vmInit?: string;
}

export interface StartRequest {
  id: string;
  name: string;
  image: ImageRef;
  memoryMiB: number;
  /**
   * Container only: start without a memory limit (the cgroup still accounts
   * it). Never reachable from the API: only the isolation experiment's
   * unlimited hog asks for it, and bounds it itself.
   */
  unlimitedMemory?: boolean;
  /** Container only: "root on the host" — no user namespace, no seccomp filter, every capability. */
  privileged?: boolean;
  cpus: number;
  /** Per-instance directory under the state directory; logs and sockets go here. */
  dir: string;
  /** Aborting undoes the start and rejects it. */
  signal?: AbortSignal;
  /** How long to wait for READY before failing the start. */
  readyTimeoutMs?: number;
  /** VM only: restore the machine's template snapshot instead of booting (the template is built on first use). */
  warm?: boolean;
  /** VM only: "template" clones the machine's shared-memory template; "pooled" takes a clone the pool started ahead. */
  startMode?: "template" | "pooled";
  /** VM only: restore this snapshot; refused unless it was saved from the same machine, kernel and image. */
  snapshotId?: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Called with each output line as it arrives (for progress lines). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface EngineExecResult {
  exitCode: number;
  output: string;
}

export interface InstanceExit {
  code: number | null;
  /** The signal that ended it ("SIGKILL"), when one did. */
  signal: string | null;
  /** Plain words: "stopped by Isolab", "probe exited with code 1", "QEMU killed by SIGKILL". */
  reason: string;
}

export interface RunningHandle {
  /** Host pid that carries the instance: the probe, the container's init, or QEMU. */
  pid: number;
  startup: Startup;
  accel?: Accel;
  runtime?: string;
  /** Console (VM) or stdout/stderr log (process, container). */
  logPath: string;
  /** cgroup path relative to each v1 controller root or the v2 root, when the kind has one. */
  cgroupPath?: string;
  /** false when no probe runs inside (a container of an image without one): no guest view, no exec. */
  probe?: boolean;
  /** VM only: booted ("cold"), restored ("warm"), a template clone ("template") or a pool's clone ("pooled"). */
  startMode?: VmStartMode;
  /** VM only: the snapshot a warm VM was restored from. */
  snapshotId?: string;
  exec(command: string, args: string[], opts?: ExecOptions): Promise<EngineExecResult>;
  /** Idempotent: graceful, then forced after timeoutMs; removes cgroups, sockets, runtime state. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  /** Settles once the instance has ended, on its own or through stop(). Never rejects. */
  exited: Promise<InstanceExit>;
  /**
   * What the host pays for this instance now: the container's cgroup, the
   * probe's or QEMU's process (all threads). Synchronous: /proc and cgroupfs
   * never wait on a disk. Throws InstanceGoneError once it has ended (an
   * empty cgroup, a zombie); `readers` replace the host files in tests.
   */
  hostUsage(readers?: HostUsageReaders): HostUsageReading;
  /** What this handle can do beyond the contract; absent entries are not supported by its kind. */
  capabilities: HandleCapabilities;
}

/** Saving a running instance as a snapshot (VM only today). */
export interface SnapshotCapability {
  /** Saves it as a new snapshot (purpose "manual"); resumes it afterwards unless `resume` is false. */
  save(opts: { resume: boolean }): Promise<SnapshotMeta>;
}

export interface HandleCapabilities {
  snapshot?: SnapshotCapability;
  // terminal?: TerminalCapability — an interactive shell inside the instance goes here.
}

export interface Engine {
  kind: InstanceKind;
  /** Throws MissingDependencyError naming the missing part (binary, kernel, runtime). */
  check(): Promise<void>;
  /** Resolves once READY; on any failure cleans up everything and throws (StartFailedError with consoleTail). */
  start(req: StartRequest): Promise<RunningHandle>;
  /** Removes leftovers of an earlier Isolab run under stateDir; returns what it removed. */
  reconcile(stateDir: string): Promise<string[]>;
  /** Settles once background work the engine does on its own (the VM pool's refills) has finished. */
  idle?(): Promise<void>;
}
