import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseReadyLine } from "@/lib/probe/ready-line";
import { MissingDependencyError, StartFailedError } from "@/server/errors";
import type { Engine, InstanceExit, RunningHandle, StartRequest } from "../engine/contract";
import { readProcUsage } from "../engine/host-usage";
import { killPidFileLeftovers, tailFile, waitForExit } from "../host/process-tools";
import { runCommand } from "../host/run-command";

// The "bare metal" baseline: the probe runs directly on the host, in the
// host's namespaces and cgroups, so every comparison has a column with no
// isolation cost at all.

const PID_FILE = "process.pid";

export function createProcessEngine(): Engine {
  return {
    kind: "process",
    async check() {
      // The probe comes with the image; getImage already reports a missing image.
    },
    start,
    reconcile: (stateDir) => killPidFileLeftovers(stateDir, PID_FILE, "probe"),
  };
}

async function start(req: StartRequest): Promise<RunningHandle> {
  if (!fs.existsSync(req.image.probePath)) {
    throw new MissingDependencyError("image", `The probe binary ${req.image.probePath} is missing.`);
  }
  const logPath = path.join(req.dir, "process.log");
  const log = fs.openSync(logPath, "a");
  const t0 = performance.now();
  // detached: its own process group, so a Ctrl-C on the server's terminal
  // does not kill it before the supervisor stops it in order.
  const child = spawn(req.image.probePath, ["serve"], {
    stdio: ["ignore", "pipe", log],
    detached: true,
    env: probeEnv(req.name),
  });
  fs.closeSync(log);
  const stdout = child.stdout;
  if (!stdout) throw new StartFailedError("The probe was spawned without a stdout pipe.");
  let spawnedAt = t0;
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

  const stop = makeStop(child.pid, exitInfo);
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
          { name: "spawn", ms: spawnedAt - t0 },
          { name: "ready", ms: t1 - spawnedAt },
        ],
      },
      logPath,
      exec: (command, args, opts) => runCommand(req.image.probePath, [command, ...args], opts),
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
