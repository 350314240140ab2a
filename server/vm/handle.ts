import "server-only";
import type { Accel, Startup } from "@/lib/core/types";
import type { InstanceExit, RunningHandle } from "@/server/engine/contract";
import { readProcUsage } from "@/server/engine/host-usage";
import type { AgentChannel } from "./agent-channel";
import type { AccelDecision } from "./accel";
import { describeExit, removeFiles, type LaunchedQemu, type QemuExit } from "./launch";
import type { QmpClient } from "./qmp-client";

// A running VM. stop() asks QEMU to quit over QMP — `system_powerdown` needs
// ACPI handling in the guest, which an initramfs-only busybox init does not
// do — then SIGTERM, then SIGKILL of QEMU's process group.

export interface VmHandle extends RunningHandle {
  accel: Accel;
  accelReason: string;
  /** For features beyond the engine contract: snapshots, balloon, status. */
  qmp: QmpClient;
  agent: AgentChannel;
}

export const DEFAULT_STOP_TIMEOUT_MS = 5_000;

const SHUTDOWN_WORDS: Record<string, string> = {
  "guest-shutdown": "the guest powered off",
  "guest-reset": "the guest rebooted (QEMU runs with -no-reboot)",
  "guest-panic": "the guest kernel panicked",
  "host-signal": "QEMU got a signal",
  "host-qmp-quit": "QEMU was told to quit",
};

export function createVmHandle(o: {
  vm: LaunchedQemu;
  startup: Startup;
  accel: AccelDecision;
  paths: { consoleLog: string; qmpSocket: string; agentSocket: string; pidfile: string };
  /** Words that explain an exit this kind of VM is prone to (a templated clone's SIGBUS). */
  exitHint?: (signal: string | null) => string | undefined;
}): VmHandle {
  const { vm, paths } = o;
  let stopRequested = false;
  let stopping: Promise<void> | undefined;
  let shutdownReason: string | undefined;
  let ended = false;

  vm.qmp.events.on("event", (ev) => {
    if (ev.event === "SHUTDOWN" && typeof ev.data?.reason === "string") shutdownReason = ev.data.reason;
  });

  const cleanup = () => {
    vm.agent.close();
    vm.qmp.close();
    removeFiles([paths.qmpSocket, paths.agentSocket, paths.pidfile]);
  };

  const exited = vm.exit.then((e: QemuExit) => {
    ended = true;
    cleanup();
    let reason: string;
    if (stopRequested) reason = "stopped by Isolab";
    else if (shutdownReason && SHUTDOWN_WORDS[shutdownReason]) reason = `${SHUTDOWN_WORDS[shutdownReason]}; ${describeExit(e)}`;
    else reason = describeExit(e);
    const hint = stopRequested ? undefined : o.exitHint?.(e.signal);
    if (hint) reason += `: ${hint}`;
    return { code: e.code, signal: e.signal, reason } satisfies InstanceExit;
  });

  const exitedWithin = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);

  const signalGroup = (sig: NodeJS.Signals) => {
    if (ended) return;
    try {
      process.kill(-vm.pid, sig);
    } catch {
      // already gone
    }
  };

  async function doStop(timeoutMs: number): Promise<void> {
    stopRequested = true;
    if (!ended) {
      // quit answers and closes the socket at once; a closed socket also means it worked.
      await vm.qmp.execute("quit", undefined, { timeoutMs: Math.min(1_000, timeoutMs) }).catch(() => {});
      if (!(await exitedWithin(timeoutMs / 2))) {
        signalGroup("SIGTERM");
        if (!(await exitedWithin(timeoutMs / 2))) signalGroup("SIGKILL");
      }
      await exited;
    }
    cleanup();
  }

  return {
    pid: vm.pid,
    startup: o.startup,
    accel: o.accel.accel,
    accelReason: o.accel.reason,
    logPath: paths.consoleLog,
    qmp: vm.qmp,
    agent: vm.agent,
    exec: (command, args, opts) => vm.agent.exec(command, args, opts),
    stop(opts) {
      stopping ??= doStop(opts?.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
      return stopping;
    },
    exited,
    // QEMU with every vCPU and I/O thread: what the host pays for the guest.
    hostUsage: (readers) => readProcUsage(vm.pid, readers),
    // The engine adds `snapshot` once it knows what the VM is bound to (engine.ts, warm-start.ts).
    capabilities: {},
  };
}
