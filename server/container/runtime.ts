import "server-only";
import type { RuncState } from "@/lib/schemas/oci";
import type { EngineExecResult, ExecOptions } from "@/server/engine/contract";

// The OCI runtime as Isolab drives it: the CLI verbs runc and crun share.
// Implementations: RuncRuntime (runc.ts), CrunRuntime (crun.ts), both on the
// shared CLI driver in oci-cli.ts.

export type RuntimeName = "runc" | "crun";

/** Domain shape of `runc state`: pid is null once the init has died. */
export interface ContainerState {
  id: string;
  pid: number | null;
  status: RuncState["status"];
  bundle: string;
  createdAt: string;
}

export interface CreateOptions {
  /** The runtime writes the container init's host pid here. */
  pidFile: string;
  /** Receives the container's stdout and stderr, and the runtime's own errors (appended). */
  logPath: string;
  /**
   * Launch through isolab-shim (guest/shim/isolab-shim.c), which adopts the
   * init and writes how it ended to statusFile; without it the init's exit
   * status is lost when the runtime exits.
   */
  shim?: { binary: string; statusFile: string };
}

export interface RuntimeExecOptions extends ExecOptions {
  /** Where the runtime writes the exec'd process's host pid, so a timeout can kill it (not just the CLI). */
  pidFile?: string;
}

export interface ContainerRuntime {
  readonly name: RuntimeName;
  /** Isolab's own `--root`: only Isolab's containers are listed, reconciled or deleted. */
  readonly root: string;
  /** The runtime's executable (a bare name is looked up on PATH); the terminal runs `exec -t` through it on a pty. */
  readonly binary: string;
  /** Throws MissingDependencyError / UnsupportedHostError when this runtime cannot run containers here. */
  check(): Promise<void>;
  version(): Promise<string>;
  create(id: string, bundleDir: string, opts: CreateOptions): Promise<void>;
  start(id: string): Promise<void>;
  /** `run --detach`: create and start in one runtime process. */
  runDetached(id: string, bundleDir: string, opts: CreateOptions): Promise<void>;
  /** null when the runtime does not know the container. */
  state(id: string): Promise<ContainerState | null>;
  /** A container that is gone or already stopped is not an error. */
  kill(id: string, signal: NodeJS.Signals, opts?: { all?: boolean }): Promise<void>;
  /** A container that is gone is not an error. */
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  exec(id: string, args: string[], opts?: RuntimeExecOptions): Promise<EngineExecResult>;
  list(): Promise<ContainerState[]>;
}

export function toContainerState(raw: RuncState): ContainerState {
  return {
    id: raw.id,
    pid: raw.pid > 0 ? raw.pid : null,
    status: raw.status,
    bundle: raw.bundle,
    createdAt: raw.created,
  };
}
