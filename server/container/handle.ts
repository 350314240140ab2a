import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Startup } from "@/lib/core/types";
import type { ExecOptions, InstanceExit, RunningHandle } from "@/server/engine/contract";
import { tailFile } from "@/server/host/process-tools";
import { ProbeUnavailableError } from "@/server/images/errors";
import { readCgroupUsage } from "./cgroup";
import { isAlive, watchProcess } from "./proc-watch";
import { removeTraces, terminate, type ContainerTraces } from "./teardown";

// A running container as the supervisor holds it. stop() and the init dying
// on its own converge on one teardown, run once; its outcome settles
// `exited`, so the supervisor never has to clean up after an exit itself.

export interface ContainerHandleInit {
  traces: ContainerTraces & { init: { pid: number; startTime: number } };
  dir: string;
  logPath: string;
  startup: Startup;
  /** How often to look whether the init still lives. */
  exitPollMs: number;
  /** false: the image has no /bin/probe, so no command can run inside. */
  probe?: boolean;
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export function containerHandle(h: ContainerHandleInit): RunningHandle {
  const { traces, dir, logPath } = h;
  let resolveExited!: (exit: InstanceExit) => void;
  const exited = new Promise<InstanceExit>((resolve) => (resolveExited = resolve));
  let exit: InstanceExit | undefined;
  let teardown: Promise<void> | undefined;
  let execCount = 0;

  const finish = (why: InstanceExit, graceMs: number): Promise<void> => {
    exit ??= why;
    teardown ??= (async () => {
      watch.stop();
      try {
        await terminate(traces, graceMs);
      } finally {
        // The instance has ended once its init is gone, even if removing its traces fails below.
        if (!isAlive(traces.init.pid, traces.init.startTime)) resolveExited(exit);
      }
      await removeTraces(traces);
    })().catch((err: unknown) => {
      // Let a later stop() try the cleanup again.
      teardown = undefined;
      throw err;
    });
    return teardown;
  };

  const watch = watchProcess(traces.init.pid, traces.init.startTime, h.exitPollMs);
  void watch.gone.then((gone) => {
    if (gone) finish(ownExit(traces.cgroupPath, logPath), 0).catch(() => {});
  });

  return {
    pid: traces.init.pid,
    startup: h.startup,
    runtime: traces.runtime.name,
    logPath,
    cgroupPath: traces.cgroupPath.replace(/^\//, ""),
    exited,
    stop: ({ timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) =>
      finish({ code: null, signal: null, reason: "stopped by Isolab" }, timeoutMs),
    ...(h.probe === false ? { probe: false } : {}),
    async exec(command: string, args: string[], opts: ExecOptions = {}) {
      if (h.probe === false) {
        throw new ProbeUnavailableError(`This container's image has no /bin/probe: \`probe ${command}\` cannot run inside it.`);
      }
      // A pid file per exec lets a timeout kill the process inside the container.
      const pidFile = path.join(dir, `exec-${++execCount}.pid`);
      try {
        return await traces.runtime.exec(traces.id, ["/bin/probe", command, ...args], { ...opts, pidFile });
      } finally {
        fs.rmSync(pidFile, { force: true });
      }
    },
  };
}

/** Why the init ended without Isolab asking, read before the cgroup goes away. */
function ownExit(cgroupPath: string, logPath: string): InstanceExit {
  let oomKills = 0;
  let limit: number | null = null;
  try {
    const usage = readCgroupUsage(cgroupPath);
    oomKills = usage.oomKills;
    limit = usage.limitBytes;
  } catch {
    // The runtime already removed the cgroup: no OOM record to read.
  }
  if (oomKills > 0) {
    const mib = limit === null ? "" : ` of ${Math.round(limit / 2 ** 20)} MiB`;
    return { code: null, signal: "SIGKILL", reason: `killed by the kernel's OOM killer at the memory limit${mib}` };
  }
  const last = tailFile(logPath, 5).trim().split("\n").pop()?.trim() ?? "";
  // Not Isolab's child, so the exit status is not observable; the log's last line usually says why.
  return { code: null, signal: null, reason: `the container's init exited on its own${last ? ` (last output: ${last.slice(0, 200)})` : ""}` };
}
