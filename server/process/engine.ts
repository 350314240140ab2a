import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseReadyLine } from "@/lib/probe/ready-line";
import { config } from "@/server/config";
import { readCgroupUsage } from "@/server/container/cgroup";
import { tmpSizeFor } from "@/server/container/engine";
import { InvalidRequestError, MissingDependencyError, StartFailedError } from "@/server/errors";
import type { Engine, InstanceExit, RunningHandle, StartRequest } from "../engine/contract";
import { readProcUsage } from "../engine/host-usage";
import { killPidFileLeftovers, tailFile, waitForExit } from "../host/process-tools";
import { runCommand } from "../host/run-command";
import { createProcessCgroup, killAndRemoveProcessCgroup, type ProcessCgroup } from "./process-cgroup";

// The "bare metal" baseline: the probe runs directly on the host, in the
// host's namespaces, so every comparison has a column with no isolation cost
// at all. It still runs in a cgroup of its own (process-cgroup.ts) with the
// memory and CPU it was given, entered through isolab-cgexec before its first
// instruction, and its commands write files only into a scratch directory
// of its own, each file capped: a root process with nothing around it could
// otherwise take the host's memory or fill its disk.

const PID_FILE = "process.pid";
/** The cgroup path, so that a reconcile after a crash can kill what is left in it. */
const CGROUP_FILE = "process.cgroup";
export const CGEXEC_NAME = "isolab-cgexec";

export interface ProcessEngineOptions {
  /** isolab-cgexec (guest/cgexec, built by scripts/build-image.sh); defaults to `<dataDir>/bin/isolab-cgexec`. */
  cgexec?: string;
}

export function createProcessEngine(opts: ProcessEngineOptions = {}): Engine {
  const cgexec = opts.cgexec ?? path.join(config.dataDir, "bin", CGEXEC_NAME);
  return {
    kind: "process",
    async check() {
      if (!fs.existsSync(cgexec)) throw new MissingDependencyError("isolab-cgexec", `${cgexec} is missing; run npm run setup to build it.`);
    },
    start: (req) => start(req, cgexec),
    reconcile: async (stateDir) => [...(await killPidFileLeftovers(stateDir, PID_FILE, "probe")), ...(await removeLeftoverCgroups(stateDir))],
  };
}

async function start(req: StartRequest, cgexec: string): Promise<RunningHandle> {
  if (!fs.existsSync(req.image.probePath)) {
    throw new MissingDependencyError("image", `The probe binary ${req.image.probePath} is missing.`);
  }
  const t0 = performance.now();
  const logPath = path.join(req.dir, "process.log");
  const scratch = path.join(req.dir, "scratch");
  fs.mkdirSync(scratch, { mode: 0o700 });
  const cgroup = await createProcessCgroup(req.id, { memoryMiB: req.memoryMiB, cpus: req.cpus });
  let log: number;
  try {
    fs.writeFileSync(path.join(req.dir, CGROUP_FILE), cgroup.path);
    log = fs.openSync(logPath, "a");
  } catch (err) {
    await killAndRemoveProcessCgroup(cgroup.path).catch(() => {});
    throw err;
  }
  const cgroupAt = performance.now();
  // detached: its own process group, so a Ctrl-C on the server's terminal
  // does not kill it before the supervisor stops it in order.
  const child = spawn(cgexec, [...cgroup.procsFiles, "--", req.image.probePath, "serve"], {
    stdio: ["ignore", "pipe", log],
    detached: true,
    env: probeEnv(req.name),
  });
  fs.closeSync(log);
  const stdout = child.stdout;
  if (!stdout) throw new StartFailedError("The probe was spawned without a stdout pipe.");
  let spawnedAt = cgroupAt;
  child.once("spawn", () => (spawnedAt = performance.now()));

  const exitInfo = new Promise<InstanceExit>((resolve) => {
    child.once("exit", (code, signal) =>
      resolve({
        code,
        signal,
        reason: signal ? `probe killed by ${signal}` : `probe exited with code ${code}`,
      }),
    );
    child.once("error", (err) => resolve({ code: null, signal: null, reason: `could not start the probe: ${err.message}` }));
  });

  const logStream = fs.createWriteStream(logPath, { flags: "a" });
  stdout.pipe(logStream);
  const timeoutMs = req.readyTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const readyAt = new Promise<number>((resolve, reject) => {
    let buf = "";
    const onData = (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      if (lines.some((l) => parseReadyLine(l))) {
        stdout.off("data", onData);
        resolve(performance.now());
      }
    };
    stdout.on("data", onData);
    void exitInfo.then((e) => reject(new Error(e.reason)));
    timer = setTimeout(() => reject(new Error(`no READY within ${timeoutMs} ms`)), timeoutMs);
    req.signal?.addEventListener("abort", () => reject(new Error("start cancelled")), { once: true });
  }).finally(() => clearTimeout(timer));

  // A probe that ended on its own takes what is left in its cgroup with it
  // (commands still running beside it): an exited instance holds nothing.
  void exitInfo.then(() => killAndRemoveProcessCgroup(cgroup.path).catch(() => {}));
  const stopProbe = makeStop(child.pid, exitInfo);
  const stop = async (opts?: { timeoutMs?: number }) => {
    await stopProbe(opts);
    await killAndRemoveProcessCgroup(cgroup.path);
    fs.rmSync(path.join(req.dir, CGROUP_FILE), { force: true });
  };
  try {
    const t1 = await readyAt;
    const pid = child.pid;
    if (pid === undefined) throw new Error("the probe has no pid");
    fs.writeFileSync(path.join(req.dir, PID_FILE), String(pid));
    return {
      pid,
      startup: {
        totalMs: t1 - t0,
        phases: [
          { name: "cgroup", ms: cgroupAt - t0 },
          { name: "spawn", ms: spawnedAt - cgroupAt },
          { name: "ready", ms: t1 - spawnedAt },
        ],
      },
      logPath,
      exec: async (command, args, opts) => {
        const oomBefore = oomKills(cgroup.path);
        const result = await runCommand(cgexec, commandLine(cgroup, req, scratch, command, args), opts);
        if (result.exitCode === 128 + 9 && oomKills(cgroup.path) > oomBefore) {
          result.output += `\n[isolab] ${command} was killed by the out-of-memory killer: this bare process's cgroup is limited to ${req.memoryMiB} MiB\n`;
        }
        return result;
      },
      stop: async (opts) => {
        await stop(opts);
        fs.rmSync(path.join(req.dir, PID_FILE), { force: true });
      },
      exited: exitInfo,
      hostUsage: (readers) => readProcUsage(pid, readers),
      capabilities: {},
    };
  } catch (err) {
    await stop({ timeoutMs: 1000 });
    throw new StartFailedError(`The process did not become ready: ${(err as Error).message}`, {
      consoleTail: tailFile(logPath),
    });
  }
}

/**
 * A command beside the probe: in its cgroup, every file it writes capped at
 * the size a container's /tmp has for the same memory, and `io` writing into
 * the instance's scratch directory, never where its caller points it.
 */
function commandLine(cgroup: ProcessCgroup, req: StartRequest, scratch: string, command: string, args: string[]): string[] {
  if (command === "io" && args.length > 1) {
    throw new InvalidRequestError(`io in a bare process writes only into its own scratch directory; leave out the directory argument "${args[1]}"`);
  }
  const argv = command === "io" ? [args[0] ?? "16", scratch] : args;
  const maxFileBytes = tmpSizeFor(req.memoryMiB) * 1024 * 1024;
  return ["--max-file-bytes", String(maxFileBytes), ...cgroup.procsFiles, "--", req.image.probePath, command, ...argv];
}

function oomKills(cgroupPath: string): number {
  try {
    return readCgroupUsage(cgroupPath).oomKills;
  } catch {
    return 0;
  }
}

/** Cgroups of bare processes a crashed server left: whatever still runs in them is killed, then they are removed. */
async function removeLeftoverCgroups(stateDir: string): Promise<string[]> {
  const removed: string[] = [];
  const root = path.join(stateDir, "instances");
  if (!fs.existsSync(root)) return removed;
  for (const id of fs.readdirSync(root)) {
    const file = path.join(root, id, CGROUP_FILE);
    if (!fs.existsSync(file)) continue;
    const cgroupPath = fs.readFileSync(file, "utf8").trim();
    try {
      await killAndRemoveProcessCgroup(cgroupPath);
      removed.push(`cgroup ${cgroupPath} of ${id}`);
    } catch (err) {
      removed.push(`cgroup ${cgroupPath} of ${id}: ${(err as Error).message}`);
    }
    fs.rmSync(file, { force: true });
  }
  return removed;
}

// A minimal environment: the probe needs none of the server's variables.
function probeEnv(hostname: string): NodeJS.ProcessEnv {
  const env: Record<string, string> = { PATH: "/usr/bin:/bin", HOSTNAME: hostname };
  return env as NodeJS.ProcessEnv;
}

function makeStop(pid: number | undefined, exited: Promise<InstanceExit>) {
  return async ({ timeoutMs = 5000 }: { timeoutMs?: number } = {}) => {
    if (pid === undefined) return;
    if (await waitForExit(exited, 0)) return;
    signalGroup(pid, "SIGTERM");
    if (await waitForExit(exited, timeoutMs)) return;
    signalGroup(pid, "SIGKILL");
    await waitForExit(exited, 5000);
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone: stopping a stopped instance succeeds.
  }
}
