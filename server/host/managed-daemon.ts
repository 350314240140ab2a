import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// A server Isolab either starts on request from a Debian package (the
// registry, Prometheus) or uses at a URL someone gave. Started on
// 127.0.0.1, in its own process group (so a stop ends whatever it forks),
// stdout and stderr appended to a log, with a pid file so that one a crashed
// run left is ended at the next start — only if /proc says it still runs our
// config, so a recycled pid is never hit. One start at a time; stop is
// idempotent; a server that exits any other way still takes it along. What
// is each one's own — its config, its probe, its errors and words — the
// manager passes in.

const STOP_GRACE_MS = 5000;
const LOG_TAIL_LINES = 5;

/** What a manager's prepare() hands over: the program, its arguments (never a shell) and the port it will listen on. */
export interface DaemonLaunch {
  binary: string;
  args: string[];
  port: number;
}

/** The daemon Isolab started and still counts as running. */
export interface DaemonRun {
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  startedAt: string;
}

/** A daemon's files, all under <stateDir>/<name>/. */
export interface DaemonPaths {
  dir: string;
  dataDir: string;
  /** Its config: the command line of a pid-file leftover must name it to be ours. */
  configPath: string;
  pidFile: string;
  /** Its stdout and stderr, appended. */
  logPath: string;
}

/** The manager's own words for what happened; every one ends up in a status note or an error. */
export interface DaemonTexts {
  /** The note while neither runs, before anything happened. */
  none: string;
  /** How reconcile() names a leftover it ended. */
  leftover: (pid: number) => string;
  notUp: (url: string, exited: boolean, logTail: string) => string;
  exitedOnItsOwn: (pid: number) => string;
  externalDropped: string;
}

export interface ManagedDaemonOptions {
  paths: DaemonPaths;
  /** Throws (naming the package) when a binary it needs is missing. */
  requireInstalled: () => void;
  /** Writes its config and picks its port; runs after requireInstalled, once an external one is dropped. */
  prepare: () => Promise<DaemonLaunch>;
  /** null once it answers at url, else what is wrong. */
  probe: (url: string) => Promise<string | null>;
  readyTimeoutMs: number;
  probeEveryMs: number;
  /** Its error for one that could not be started or did not come up. */
  Unavailable: new (message: string, details?: { logTail: string }) => Error;
  texts: DaemonTexts;
}

export type DaemonMode = "managed" | "external" | "stopped";

/** <stateDir>/<name>/: data/, the config file, <name>.pid and <name>.log. */
export function daemonPaths(stateDir: string, name: string, configFile: string): DaemonPaths {
  const dir = path.join(stateDir, name);
  return {
    dir,
    dataDir: path.join(dir, "data"),
    configPath: path.join(dir, configFile),
    pidFile: path.join(dir, `${name}.pid`),
    logPath: path.join(dir, `${name}.log`),
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals pid's process group, or pid alone when it leads none (any more). */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** The last lines of a log, trimmed, or "(no log)" when there is none. */
export function logTailOf(text: string | null): string {
  return text === null ? "(no log)" : text.trim().split("\n").slice(-LOG_TAIL_LINES).join("\n");
}

/** `External` is how the manager names a server at a URL (the registry's Endpoint, Prometheus's base URL). */
export function createManagedDaemon<External>(opts: ManagedDaemonOptions) {
  const { pidFile, logPath, configPath } = opts.paths;
  const { texts } = opts;
  let managed: DaemonRun | null = null;
  let external: External | null = null;
  let note = texts.none;
  let reconciled = false;
  let starting: Promise<void> | null = null;

  const logTail = () => logTailOf(fs.existsSync(logPath) ? fs.readFileSync(logPath, "utf8") : null);

  /** Ends the daemon an earlier run left (its pid file, checked against /proc/<pid>/cmdline); once per app. */
  function reconcile(): string[] {
    if (reconciled) return [];
    reconciled = true;
    const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8").trim() : "");
    fs.rmSync(pidFile, { force: true });
    if (!Number.isInteger(pid) || pid <= 0) return [];
    const cmdline = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, "utf8") : "";
    if (!cmdline.includes(configPath)) return [];
    killGroup(pid, "SIGKILL");
    return [texts.leftover(pid)];
  }

  /** Spawns it and waits until it answers; one that exits or misses the deadline is killed, its pid file removed, and the error carries its log's tail. */
  async function launch({ binary, args, port }: DaemonLaunch): Promise<DaemonRun> {
    const log = fs.openSync(logPath, "a");
    const child = spawn(binary, args, { stdio: ["ignore", log, log], detached: true });
    fs.closeSync(log);
    const pid = child.pid;
    if (!pid) throw new opts.Unavailable(`${binary} could not be started.`);
    child.unref();
    let exited = false;
    child.once("exit", () => (exited = true));
    fs.writeFileSync(pidFile, String(pid));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + opts.readyTimeoutMs;
    while ((await opts.probe(url)) !== null) {
      if (exited || Date.now() > deadline) {
        killGroup(pid, "SIGKILL");
        fs.rmSync(pidFile, { force: true });
        const tail = logTail();
        throw new opts.Unavailable(texts.notUp(url, exited, tail), { logTail: tail });
      }
      await sleep(opts.probeEveryMs);
    }
    return { pid, port, url, startedAt: new Date().toISOString() };
  }

  /** Starts it unless it runs; a second caller meanwhile waits for the first start. Drops an external one. */
  function start(): Promise<void> {
    if (managed && alive(managed.pid)) return Promise.resolve();
    starting ??= (async () => {
      reconcile();
      opts.requireInstalled();
      external = null;
      managed = await launch(await opts.prepare());
      takeAlongOnExit(managed.pid);
    })().finally(() => (starting = null));
    return starting;
  }

  /** Idempotent: SIGTERM to its group, SIGKILL after a grace period; an external one is only forgotten. */
  async function stop(): Promise<void> {
    if (starting) await starting.catch(() => {});
    if (managed) {
      const { pid } = managed;
      managed = null;
      killGroup(pid, "SIGTERM");
      const deadline = Date.now() + STOP_GRACE_MS;
      while (alive(pid) && Date.now() < deadline) await sleep(20);
      if (alive(pid)) killGroup(pid, "SIGKILL");
      fs.rmSync(pidFile, { force: true });
      note = "stopped by Isolab";
    }
    if (external) {
      external = null;
      note = texts.externalDropped;
    }
  }

  /** Uses a server elsewhere, stopping its own first. */
  async function use(server: External): Promise<void> {
    if (managed) await stop();
    external = server;
  }

  /** Where things stand; a daemon that exited on its own is forgotten here, its note pointing at its log. */
  function check(): { mode: DaemonMode; managed: DaemonRun | null; external: External | null; note: string } {
    if (managed && !alive(managed.pid)) {
      note = texts.exitedOnItsOwn(managed.pid);
      managed = null;
    }
    return { mode: managed ? "managed" : external ? "external" : "stopped", managed, external, note };
  }

  /** A server that exits any other way still takes its daemon with it. */
  function takeAlongOnExit(pid: number) {
    process.once("exit", () => {
      if (managed?.pid === pid) {
        killGroup(pid, "SIGKILL");
        fs.rmSync(pidFile, { force: true });
      }
    });
  }

  return {
    start,
    stop,
    use,
    check,
    reconcile,
    logTail,
    /** The daemon as last recorded, without asking whether it still runs. */
    managed: () => managed,
    external: () => external,
  };
}
