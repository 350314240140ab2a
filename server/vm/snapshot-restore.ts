import "server-only";
import type { QemuUser } from "@/server/host/qemu-user";
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import type net from "node:net";
import type { SnapshotBinding, SnapshotMeta } from "@/lib/schemas/snapshot";
import { QmpMigrateReply, type QmpEvent } from "@/lib/schemas/qmp";
import { compareBinding, instantiateArgs, type InstancePaths } from "@/lib/vm/snapshot";
import { AgentChannel } from "./agent-channel";
import { readTail } from "./host";
import {
  accept,
  describeExit,
  killGroup,
  LaunchError,
  listen,
  removeFiles,
  spawnQemu,
  watchStart,
  type LaunchedQemu,
  type QemuCommandOptions,
  type QemuExit,
  type StartWatch,
} from "./launch";
import { QmpClient } from "./qmp-client";
import { SnapshotCorruptError, SnapshotMismatchError } from "./snapshot-errors";
import type { SnapshotStore } from "./snapshot-store";

// Restoring a snapshot into a new QEMU: the same machine arguments plus
// `-S -incoming fd:3`, the state file handed to QEMU as its fd 3 (no `cat`,
// no shell). QEMU starts loading as soon as it is up, while Isolab is still
// negotiating QMP (rather than after a `migrate-incoming` round trip with
// `-incoming defer`: ~5–10 ms on a loaded host); `-global
// migration.x-events=on` makes it say when the load ends; then `cont`.
//
// The guest's agent does not print READY again: it is blocked in read() on
// ttyS1, exactly where it was saved, and the new QEMU has connected a new
// socket to that port. So the channel is adopted as ready and the guest is
// called ready when it answers `ping` — first giving it its own hostname
// and a fresh random seed (agent built-ins, guest/README.md), since
// everything else about its identity is the template's.

export interface RestoreOptions {
  store: SnapshotStore;
  id: string;
  /** The binding of the machine asked for and its placeholder arguments (snapshot-binding.ts currentBinding). */
  expected: { binding: SnapshotBinding; args: string[] };
  qemuBinary: string;
  paths: InstancePaths & { qemuLog: string };
  /** QEMU's `-name`. */
  name?: string;
  /** Set inside the guest after the restore. */
  hostname?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The unprivileged user QEMU runs as; its instance directory is already its own. */
  user?: QemuUser;
  /** A templated clone's QEMU runs lean (launch.ts QemuCommandOptions). */
  lean?: QemuCommandOptions["lean"];
  /**
   * A templated clone's state was saved without its RAM (`x-ignore-shared`):
   * the capability must be on before the stream is read, and QEMU 7.2 takes
   * it only over QMP, so QEMU starts with `-incoming defer` and the load
   * begins with `migrate-incoming fd:3` once the capability is set.
   */
  ignoreShared?: boolean;
}

export interface RestoredQemu extends LaunchedQemu {
  meta: SnapshotMeta;
  loadedAt: number;
  /** The guest's uptime in its first answer: continues from the snapshot's. */
  uptimeSeconds: number;
}

/** The state file goes to QEMU as this fd (stdin, stdout, stderr, then it). */
export const STATE_FD = 3;

/** Refuses before anything is spawned: a snapshot bound to something else, or a damaged file. */
export function checkRestorable(store: SnapshotStore, id: string, expected: SnapshotBinding): SnapshotMeta {
  const meta = store.get(id);
  const reasons = compareBinding(meta.binding, expected);
  if (reasons.length) throw new SnapshotMismatchError(reasons, `Snapshot ${id} cannot be restored here: ${reasons.join("; ")}.`);
  store.verify(meta);
  return meta;
}

/** Resolves with the time QEMU's MIGRATION event says the load completed; `off` stops listening. */
function migrationEvent(qmp: QmpClient): { event: Promise<number>; off: () => void } {
  let off = () => {};
  const event = new Promise<number>((resolve, reject) => {
    const onEvent = (ev: QmpEvent) => {
      const status = ev.data?.status;
      if (ev.event !== "MIGRATION" || (status !== "completed" && status !== "failed")) return;
      if (status === "completed") resolve(performance.now());
      else reject(new SnapshotCorruptError("QEMU could not load the saved state"));
    };
    qmp.events.on("event", onEvent);
    off = () => qmp.events.off("event", onEvent);
  });
  event.catch(() => {});
  return { event, off };
}

/**
 * Resolves with the time the incoming migration completed. QEMU sends no
 * events before QMP negotiation, so a load that finished during it is found
 * by `query-migrate` instead (a moment late, never missed).
 */
async function migrationDone(qmp: QmpClient): Promise<number> {
  const { event, off } = migrationEvent(qmp);
  try {
    const now = await qmp.execute("query-migrate", undefined, { schema: QmpMigrateReply });
    if (now.status === "completed") return performance.now();
    if (now.status === "failed") throw new SnapshotCorruptError(`QEMU could not load the saved state${now["error-desc"] ? `: ${now["error-desc"]}` : ""}`);
    return await event;
  } finally {
    off();
  }
}

function parseUptime(output: string): number {
  const up = (JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { uptime?: unknown }).uptime;
  if (typeof up !== "number") throw new Error(`unexpected ping answer: ${output.slice(0, 200)}`);
  return up;
}

/** A restoring QEMU whose state is loaded and whose vCPUs are still stopped (`-S`): what a pool keeps waiting. */
export interface LoadedQemu {
  child: ChildProcess;
  pid: number;
  qmp: QmpClient;
  agent: AgentChannel;
  /** The terminal port's connection (ttyS2), held for the VM's life. */
  term?: net.Socket;
  meta: SnapshotMeta;
  spawnAt: number;
  greetingAt: number;
  loadedAt: number;
  exit: Promise<QemuExit>;
}

/** Spawns the restoring QEMU and resolves once the guest answers; on any failure nothing is left running. */
export async function restoreSnapshot(opts: RestoreOptions): Promise<RestoredQemu> {
  const loaded = await loadSnapshot(opts);
  return resumeLoaded(loaded, opts);
}

/** Kills a loaded or restoring QEMU and closes its channels. */
export async function discardLoaded(vm: Pick<LoadedQemu, "child" | "exit" | "qmp" | "agent" | "term">): Promise<void> {
  vm.qmp.close();
  vm.agent.close();
  vm.term?.destroy();
  await killGroup(vm.child, vm.exit);
}

/** Names what went wrong: a state QEMU could not load, or how QEMU ended. */
async function failureOf(err: unknown, child: ChildProcess | undefined, exit: Promise<QemuExit>, opts: Pick<RestoreOptions, "id" | "paths">): Promise<Error> {
  let e = err;
  if (child && !(err instanceof LaunchError) && !(err instanceof SnapshotCorruptError)) {
    const ended = await Promise.race([exit, new Promise<undefined>((r) => setTimeout(r, 1_000))]);
    if (ended) e = new LaunchError(`${describeExit(ended)} before the restored guest was ready`, ended);
  }
  const stderr = readTail(opts.paths.qemuLog, 5);
  if (e instanceof SnapshotCorruptError || /load of migration failed|error while loading state|savevm|section/i.test(stderr)) {
    return new SnapshotCorruptError(`QEMU could not load snapshot ${opts.id}${stderr ? `: ${stderr.split("\n").slice(-2).join(" ")}` : ""}`, {
      id: opts.id,
      stderr,
    });
  }
  return e instanceof LaunchError ? e : new LaunchError((e as Error).message);
}

/**
 * The restoring QEMU's argument array: the snapshot's own, filled in for
 * this instance, then the incoming side (the state as fd 3, or `defer` for a
 * templated clone). The bench's raw side starts QEMU with exactly this.
 */
export function restoreArgs(args: readonly string[], paths: InstancePaths, opts: { name?: string; ignoreShared?: boolean } = {}): string[] {
  const incoming = opts.ignoreShared ? "defer" : `fd:${STATE_FD}`;
  return [...instantiateArgs(args, paths, opts.name), "-global", "migration.x-events=on", "-S", "-incoming", incoming];
}

/** Spawns QEMU with the saved state as its incoming migration and resolves once it is loaded, vCPUs stopped. */
export async function loadSnapshot(opts: RestoreOptions): Promise<LoadedQemu> {
  opts.signal?.throwIfAborted();
  const meta = checkRestorable(opts.store, opts.id, opts.expected.binding);
  const args = restoreArgs(opts.expected.args, opts.paths, opts);

  const qmpServer = await listen(opts.paths.qmpSocket);
  let agentServer: net.Server | undefined;
  let termServer: net.Server | undefined;
  let term: net.Socket | undefined;
  let child: ChildProcess | undefined;
  let qmp: QmpClient | undefined;
  let agent: AgentChannel | undefined;
  let exit: Promise<QemuExit> = Promise.resolve({ code: null, signal: null });
  let watch: StartWatch | undefined;
  try {
    agentServer = await listen(opts.paths.agentSocket);
    // ttyS2, the terminal port: Isolab listens, QEMU connects (it may create nothing in its directory).
    if (opts.paths.termSocket) termServer = await listen(opts.paths.termSocket);
    const qmpConn = accept(qmpServer);
    const agentConn = accept(agentServer);
    const termConn = termServer ? accept(termServer).then((s) => (term = s)) : undefined;
    // The saved state reaches QEMU as fd 3 (`-incoming fd:3`): no cat, no shell.
    const stateFd = fs.openSync(opts.store.statePath(opts.id), "r");
    const spawnAt = performance.now();
    ({ child, exit } = spawnQemu(opts.qemuBinary, args, opts.paths.qemuLog, [stateFd], { user: opts.user, lean: opts.lean }));
    watch = watchStart(exit, opts.timeoutMs, opts.signal, { guest: "the restored guest", awaited: "answer" });
    const failure = watch.failure;
    const race = <T>(p: Promise<T>) => Promise.race([p, failure]);

    // A templated clone: the capability and the load go out behind
    // qmp_capabilities, in one burst; the listener is on before the load can
    // start, so its MIGRATION event cannot be missed.
    let deferred: { sent: Promise<unknown>; loaded: ReturnType<typeof migrationEvent> } | undefined;
    const pipeline = opts.ignoreShared
      ? (c: QmpClient) => {
          const loaded = migrationEvent(c);
          const sent = Promise.all([
            c.execute("migrate-set-capabilities", { capabilities: [{ capability: "x-ignore-shared", state: true }] }),
            c.execute("migrate-incoming", { uri: `fd:${STATE_FD}` }),
          ]);
          sent.catch(() => {});
          deferred = { sent, loaded };
        }
      : undefined;
    const [q, agentSock] = await race(
      Promise.all([qmpConn.then((s) => QmpClient.fromSocket(s, { timeoutMs: opts.timeoutMs, pipeline })), agentConn, termConn]),
    );
    qmp = q;
    agent = new AgentChannel(agentSock);
    agent.adopt(meta.agentNextId);
    const greetingAt = qmp.greetingAt ?? performance.now();
    let loadedAt: number;
    if (deferred) {
      try {
        await race(deferred.sent);
        loadedAt = await race(deferred.loaded.event);
      } finally {
        deferred.loaded.off();
      }
    } else {
      loadedAt = await race(migrationDone(qmp));
    }
    if (child.pid === undefined) throw new LaunchError("QEMU started without a pid");
    return { child, pid: child.pid, qmp, agent, meta, spawnAt, greetingAt, loadedAt, exit, ...(term ? { term } : {}) };
  } catch (err) {
    const e = await failureOf(err, child, exit, opts);
    if (child) await killGroup(child, exit);
    qmp?.close();
    agent?.close();
    term?.destroy();
    throw e;
  } finally {
    watch?.dispose();
    qmpServer.close();
    agentServer?.close();
    termServer?.close();
    removeFiles([opts.paths.qmpSocket, opts.paths.agentSocket, opts.paths.termSocket]);
  }
}

/**
 * `cont`, the clone's own hostname and a fresh RNG seed, then `ping`: the
 * guest is ready once it answers. On failure the QEMU is killed.
 */
export async function resumeLoaded(vm: LoadedQemu, opts: Pick<RestoreOptions, "hostname" | "timeoutMs" | "signal" | "id" | "paths">): Promise<RestoredQemu> {
  const { qmp, agent, child, exit } = vm;
  const watch = watchStart(exit, opts.timeoutMs, opts.signal, { guest: "the restored guest", awaited: "answer" });
  const race = <T>(p: Promise<T>) => Promise.race([p, watch.failure]);
  try {
    // Identity first, then ping: the guest is ready once it answers with its own name.
    const cont = qmp.execute("cont");
    const identity = Promise.all([
      opts.hostname ? agent.exec("sethostname", [opts.hostname]) : undefined,
      agent.exec("reseed", [randomBytes(32).toString("hex")]),
    ]);
    identity.catch(() => {});
    const ping = agent.exec("ping", []);
    await race(cont);
    const pong = await race(ping);
    const readyAt = performance.now();
    if (pong.exitCode !== 0) throw new LaunchError(`the restored guest's agent answered ping with exit code ${pong.exitCode}`);
    const uptimeSeconds = parseUptime(pong.output);
    // Old images' agents lack the built-ins (they answer with a usage error): the VM still works.
    await race(identity).catch(() => undefined);
    return { ...vm, ready: { uptimeSeconds, at: readyAt }, uptimeSeconds };
  } catch (err) {
    const e = await failureOf(err, child, exit, opts);
    await discardLoaded(vm);
    throw e;
  } finally {
    watch.dispose();
  }
}
