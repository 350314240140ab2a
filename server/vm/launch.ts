import "server-only";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { checkUnixSocketPath } from "@/lib/vm/qemu-args";
import { findOnPath } from "@/server/host/find-on-path";
import { asUser, type QemuUser } from "@/server/host/qemu-user";
import { AgentChannel, type AgentReady } from "./agent-channel";
import { QmpClient } from "./qmp-client";
import { qemuEnv } from "./qemu-libs";

// Spawns QEMU and waits until the guest's agent says READY. Isolab listens on
// both unix sockets before the spawn and QEMU connects to them as a client
// (lib/vm/qemu-args.ts), so nothing the guest prints can be missed. Any failure
// kills QEMU's process group and removes the sockets before it is thrown.

export interface LaunchPaths {
  qmpSocket: string;
  agentSocket: string;
  /** ttyS2, the terminal port; absent for a QEMU started without one (the raw baselines). */
  termSocket?: string;
  /** QEMU's own stdout/stderr (argument errors, assertion failures). */
  qemuLog: string;
  pidfile?: string;
}

export interface LaunchOptions extends LaunchPaths {
  qemuBinary: string;
  args: string[];
  readyTimeoutMs: number;
  signal?: AbortSignal;
  /** Run QEMU as this unprivileged user (server/host/qemu-user.ts); as Isolab's own user when absent (unit tests' fake QEMU). */
  user?: QemuUser;
}

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when QEMU could not be spawned at all (ENOENT, EACCES). */
  spawnError?: Error;
}

export interface LaunchedQemu {
  child: ChildProcess;
  pid: number;
  qmp: QmpClient;
  agent: AgentChannel;
  spawnAt: number;
  greetingAt: number;
  ready: AgentReady;
  exit: Promise<QemuExit>;
  /** The terminal port's connection (ttyS2), held for the VM's life. */
  term?: net.Socket;
}

/** Why a launch failed, in words; the engine adds the console tail. */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly exit?: QemuExit,
  ) {
    super(message);
    this.name = "LaunchError";
  }
}

/** Listens on a unix socket path (checked for sun_path's limit), replacing a leftover file. */
export async function listen(socketPath: string): Promise<net.Server> {
  checkUnixSocketPath(socketPath);
  fs.rmSync(socketPath, { force: true }); // a leftover from a crashed run
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  // QEMU connects as its own unprivileged user: the directory it sits in
  // decides who can reach it (server/host/qemu-user.ts), the socket lets them in.
  fs.chmodSync(socketPath, 0o666);
  return server;
}

export const accept = (server: net.Server) => new Promise<net.Socket>((resolve) => server.once("connection", resolve));

export function describeExit(exit: QemuExit): string {
  if (exit.spawnError) return `QEMU could not be started: ${exit.spawnError.message}`;
  if (exit.signal) return `QEMU killed by ${exit.signal}`;
  return `QEMU exited with code ${exit.code}`;
}

export function removeFiles(paths: (string | undefined)[]): void {
  for (const p of paths) if (p) fs.rmSync(p, { force: true });
}

/** SIGKILL QEMU's whole process group (migration helpers included) and wait. */
export async function killGroup(child: ChildProcess, exit: Promise<QemuExit>): Promise<QemuExit> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL"); // not a group leader (should not happen with detached)
    }
  }
  return exit;
}

export interface QemuCommandOptions {
  /**
   * Run QEMU as this unprivileged user (setpriv), with Isolab's QEMU
   * environment (qemu-libs.ts qemuEnv); as Isolab's own user, in Isolab's
   * own environment, when absent (unit tests' fake QEMU, the nested test host).
   */
  user?: QemuUser;
  /**
   * A templated clone's QEMU, whose own memory is what each clone costs
   * (ARCHITECTURE.md, templated VMs): started behind isolab-nothp (this is
   * its path), so none of its memory is in transparent huge pages — it
   * touches a few MiB of each 2 MiB region QEMU asks them for (the TCG
   * cache, the ACPI tables' RAM block). A cold VM keeps them: its guest RAM
   * is anonymous memory that huge pages serve well.
   */
  lean?: { nothp: string };
}

/**
 * The program, arguments and environment that run QEMU: setpriv as its
 * user, behind isolab-nothp for a lean one. Each execs the next in the same
 * process, so the pid, the process group and the pid file stay QEMU's.
 */
export function qemuCommand(binary: string, args: string[], o: QemuCommandOptions = {}): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const cmd = o.user ? asUser(o.user, binary, args) : { file: binary, args };
  const env = o.user || o.lean ? qemuEnv(binary) : process.env;
  if (!o.lean) return { ...cmd, env };
  const file = findOnPath(cmd.file);
  if (!file) throw new LaunchError(`${cmd.file} is not on PATH`);
  return { file: o.lean.nothp, args: [file, ...cmd.args], env };
}

/**
 * Spawns QEMU with its output to `logPath` and any `extraFds` as fds 3, 4, …
 * (closed here once QEMU holds them). Detached: QEMU leads its own process
 * group, so a dev reload or ^C of Isolab does not take it down mid-write;
 * reconcile() finds it later.
 */
export function spawnQemu(
  binary: string,
  args: string[],
  logPath: string,
  extraFds: number[] = [],
  o: QemuCommandOptions = {},
): { child: ChildProcess; exit: Promise<QemuExit> } {
  const logFd = fs.openSync(logPath, "a");
  let child: ChildProcess;
  try {
    const cmd = qemuCommand(binary, args, o);
    child = spawn(cmd.file, cmd.args, { detached: true, stdio: ["ignore", logFd, logFd, ...extraFds], env: cmd.env });
  } finally {
    fs.closeSync(logFd);
    for (const fd of extraFds) fs.closeSync(fd);
  }
  const exit = new Promise<QemuExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (err) => resolve({ code: null, signal: null, spawnError: err }));
  });
  return { child, exit };
}

export interface StartWatch {
  /** Rejects with a LaunchError when QEMU exits, the time runs out or the start is aborted. */
  failure: Promise<never>;
  dispose(): void;
}

/** What can end a start early: QEMU's exit, the timeout, the caller's abort. */
export function watchStart(exit: Promise<QemuExit>, timeoutMs: number, signal: AbortSignal | undefined, words: { guest: string; awaited: string }): StartWatch {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    void exit.then((e) => reject(new LaunchError(`${describeExit(e)} before ${words.guest} was ready`, e)));
    timer = setTimeout(() => reject(new LaunchError(`${words.guest} did not ${words.awaited} within ${timeoutMs} ms`)), timeoutMs);
    onAbort = () => reject(new LaunchError("the start was aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  failure.catch(() => {});
  return {
    failure,
    dispose() {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    },
  };
}

export async function launchQemu(opts: LaunchOptions): Promise<LaunchedQemu> {
  opts.signal?.throwIfAborted();
  const qmpServer = await listen(opts.qmpSocket);
  let agentServer: net.Server | undefined;
  let termServer: net.Server | undefined;
  let term: net.Socket | undefined;
  let child: ChildProcess | undefined;
  let qmp: QmpClient | undefined;
  let agent: AgentChannel | undefined;
  let exit: Promise<QemuExit> = Promise.resolve({ code: null, signal: null });
  let watch: StartWatch | undefined;
  try {
    agentServer = await listen(opts.agentSocket);
    if (opts.termSocket) termServer = await listen(opts.termSocket);
    const qmpConn = accept(qmpServer);
    const agentConn = accept(agentServer);
    const termConn = termServer ? accept(termServer).then((s) => (term = s)) : undefined;
    const spawnAt = performance.now();
    ({ child, exit } = spawnQemu(opts.qemuBinary, opts.args, opts.qemuLog, [], { user: opts.user }));

    watch = watchStart(exit, opts.readyTimeoutMs, opts.signal, { guest: "the guest", awaited: "reach READY" });
    const failure = watch.failure;

    // Both channels in parallel: the agent's bytes are read as they come.
    const started = Promise.all([
      qmpConn.then((s) => QmpClient.fromSocket(s, { timeoutMs: opts.readyTimeoutMs })).then((q) => (qmp = q)),
      agentConn.then((s) => (agent = new AgentChannel(s)).ready),
      termConn,
    ]).then(([, r]) => r);
    started.catch(() => {});
    const ready = await Promise.race([started, failure]);
    if (!qmp || !agent || child.pid === undefined || qmp.greetingAt === undefined) throw new LaunchError("QEMU started without its channels");
    return { child, pid: child.pid, qmp, agent, spawnAt, greetingAt: qmp.greetingAt, ready, exit, ...(term ? { term } : {}) };
  } catch (err) {
    // QEMU dying closes its sockets a moment before Node sees the exit; name
    // the exit (code, signal) rather than the closed channel it caused.
    if (child && !(err instanceof LaunchError)) {
      const e = await Promise.race([exit, new Promise<undefined>((r) => setTimeout(r, 1_000))]);
      if (e) err = new LaunchError(`${describeExit(e)} before the guest was ready`, e);
    }
    if (child) await killGroup(child, exit);
    qmp?.close();
    agent?.close();
    term?.destroy();
    throw err instanceof LaunchError ? err : new LaunchError((err as Error).message);
  } finally {
    watch?.dispose();
    // Both connections are made (or never will be): the listeners and their
    // socket files have no further use.
    qmpServer.close();
    agentServer?.close();
    termServer?.close();
    removeFiles([opts.qmpSocket, opts.agentSocket, opts.termSocket]);
  }
}
