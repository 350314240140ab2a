import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Startup } from "@/lib/core/types";
import type { ExecOptions, InstanceExit, RunningHandle, TerminalCapability } from "@/server/engine/contract";
import { cgroupUsageReading, procUsageReaders, type HostUsageReaders } from "@/server/engine/host-usage";
import { ProbeUnavailableError } from "@/server/images/errors";
import { readCgroupUsage } from "./cgroup";
import { initExit } from "./init-exit";
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
  /** Where isolab-shim writes the init's wait status; absent when it was started without the shim. */
  statusFile?: string;
  /** A shell in the container on a pty (terminal.ts). */
  terminal?: TerminalCapability;
}

/** The live files: the cgroup through the container driver's v1/v2 reader. */
const liveReaders: HostUsageReaders = { ...procUsageReaders, cgroup: (cgroupPath) => readCgroupUsage(cgroupPath) };

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
  void watch.gone.then(async (gone) => {
    if (!gone) return;
    const why = await initExit({ cgroupPath: traces.cgroupPath, logPath, statusFile: h.statusFile, pid: traces.init.pid });
    finish(why, 0).catch(() => {});
  });

  return {
    pid: traces.init.pid,
    startup: h.startup,
    runtime: traces.runtime.name,
    logPath,
    cgroupPath: traces.cgroupPath.replace(/^\//, ""),
    exited,
    // The whole cgroup: the init, every exec'd probe and the page cache charged to it.
    hostUsage: (readers = liveReaders) => cgroupUsageReading(readers.cgroup(traces.cgroupPath)),
    capabilities: h.terminal ? { terminal: h.terminal } : {},
    stop: ({ timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) => finish({ code: null, signal: null, reason: "stopped by Isolab" }, timeoutMs),
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
