import "server-only";
import type { ExperimentEnvironment, ExperimentEvent } from "@/lib/experiments/types";
import type { ExperimentStore } from "@/server/store/experiments";
import type { HostProbes } from "./host-probes";
import type { Clock } from "./clock";
import type { ExperimentSupervisor } from "./context";
import type { ReadHostUsage } from "./host-usage";
import type { KsmGuard } from "./ksm-lease";
import type { ReadMemory } from "./startup";

/** What the experiment runner is built with (server/app/create-app.ts, for the server, the CLI, the bench and the tests). */
export interface RunnerDeps {
  store: ExperimentStore;
  supervisor: () => Promise<ExperimentSupervisor>;
  clock: Clock;
  captureEnvironment: () => Promise<ExperimentEnvironment>;
  readHostUsage: ReadHostUsage;
  /** Host memory, hog and console readers of the isolation and density runs; the real host's when absent. */
  hostProbes?: HostProbes;
  /** KSM's sysfs directory and the file that keeps the host's settings during a run (the KSM run's only way to the host). */
  ksm?: KsmGuard;
  /** QEMU PSS and RSS for the startup run's memory watch; /proc/<pid>/smaps_rollup when absent. */
  readMemory?: ReadMemory;
  /** "<pid>:<start ticks>" of this process (see owner.ts). */
  owner: string;
  /** Whether the process that owns an unfinished run still lives. */
  ownerAlive: (owner: string | null) => boolean;
  publish?: (e: ExperimentEvent) => void;
  newId?: () => string;
}
