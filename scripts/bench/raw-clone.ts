// A templated clone started by hand, for the bench's raw side: the very
// argument array Isolab gives a clone (the template's, instantiated, plus
// `-S -incoming defer`: server/vm/snapshot-restore.ts restoreArgs), run the
// way Isolab runs a clone's QEMU (isolab-nothp, setpriv as the QEMU user,
// under its -sandbox, Isolab's QEMU environment: launch.ts qemuCommand), driven over QMP and the agent by the shortest
// script that does the same work: qmp_capabilities, x-ignore-shared,
// migrate-incoming fd:3, the MIGRATION completed event, cont, then the
// clone's hostname, a fresh seed and ping, written at once. Every wait is
// bounded and races QEMU's exit, so a raw QEMU that fails cannot hang the
// bench; kill() always ends it and removes its directory.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { performance } from "node:perf_hooks";
import type { QemuDirs } from "../../server/host/qemu-user";
import { vmPaths } from "../../server/vm/engine";
import { qemuCommand } from "../../server/vm/launch";
import { restoreArgs, STATE_FD } from "../../server/vm/snapshot-restore";

export interface RawClone {
  /** Resolves once the state is loaded (vCPUs stopped). */
  loaded: Promise<void>;
  /** cont, hostname, reseed, ping: resolves when the guest answers ping. */
  resume(): Promise<void>;
  /** QMP `stop` (the pool's technique: run once, then stopped). */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Calls onLine for each newline-terminated line the socket sends. */
export function lines(sock: net.Socket, onLine: (l: string) => void): void {
  let buf = "";
  sock.on("data", (d) => {
    buf += d.toString("utf8");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  sock.on("error", () => {});
}

/** A Unix socket server at `p` that QEMU (as any user) connects to as a chardev client. */
export async function listen(p: string): Promise<net.Server> {
  fs.rmSync(p, { force: true });
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(p, r));
  fs.chmodSync(p, 0o666); // QEMU connects as its own user
  return server;
}

let agentIds = 900_000;

/** Starts a raw clone in `dir` (made here for the QEMU user); `loaded` settles when its state is in. */
export async function startRawClone(o: {
  dir: string;
  qemu: QemuDirs;
  qemuBinary: string;
  cloneArgs: string[];
  stateFile: string;
  /** As Isolab starts clones (vm.templated.lean()). */
  lean: { nothp: string };
  timeoutMs: number;
}): Promise<RawClone> {
  fs.rmSync(o.dir, { recursive: true, force: true });
  const paths = vmPaths(o.dir);
  o.qemu.instanceDir(o.dir, [paths.consoleLog, paths.pidfile]);
  const servers = await Promise.all([listen(paths.qmpSocket), listen(paths.agentSocket), listen(paths.termSocket)]);
  const conns = servers.map((s) => new Promise<net.Socket>((r) => s.once("connection", r)));
  const args = restoreArgs(o.cloneArgs, paths, { name: "isolab-raw-clone", ignoreShared: true });
  const cmd = qemuCommand(o.qemuBinary, args, { user: o.qemu.user, lean: o.lean });
  const stateFd = fs.openSync(o.stateFile, "r");
  const qemu = spawn(cmd.file, cmd.args, { stdio: ["ignore", "ignore", "pipe", stateFd], detached: true, env: cmd.env });
  fs.closeSync(stateFd);
  let stderr = "";
  qemu.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((r) => qemu.once("exit", () => r()));
  // What ends any wait early: QEMU's exit or the time limit.
  let timer: NodeJS.Timeout | undefined;
  const failure = new Promise<never>((_, reject) => {
    void exited.then(() => reject(new Error(`raw QEMU exited: ${stderr.trim() || "(no stderr)"}`)));
    timer = setTimeout(() => reject(new Error(`raw QEMU: no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
  });
  failure.catch(() => {});
  const bounded = <T>(p: Promise<T>) => Promise.race([p, failure]);
  const sockets: net.Socket[] = [];
  const kill = async () => {
    clearTimeout(timer);
    try {
      process.kill(-qemu.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
    fs.rmSync(o.dir, { recursive: true, force: true });
  };

  let id = 0;
  const pending = new Map<number, (v: { error?: unknown }) => void>();
  const waiters = new Set<(ev: { event: string; data?: { status?: string } }) => void>();
  const pongs = new Map<number, () => void>();
  let greeted: () => void = () => {};
  const greeting = new Promise<void>((r) => (greeted = r));
  const execute = async (execute: string, args?: unknown) => {
    const reply = await bounded(
      new Promise<{ error?: unknown }>((r) => {
        pending.set(++id, r);
        sockets[0].write(`${JSON.stringify({ execute, id, ...(args ? { arguments: args } : {}) })}\n`);
      }),
    );
    if (reply.error) throw new Error(`raw QEMU: ${execute} failed: ${JSON.stringify(reply.error)}`);
  };

  const loaded = (async () => {
    const [q, agent, term] = await bounded(Promise.all(conns));
    sockets.push(q, agent, term);
    for (const s of servers) s.close();
    lines(q, (l) => {
      const m = JSON.parse(l) as { QMP?: unknown; id?: number; error?: unknown; event?: string; data?: { status?: string } };
      if (m.QMP) greeted();
      else if (m.id !== undefined) pending.get(m.id)?.(m);
      else if (m.event) for (const w of waiters) w({ event: m.event, data: m.data });
    });
    lines(agent, (l) => {
      const m = /^(\d+)\|/.exec(l);
      if (m) pongs.get(Number(m[1]))?.();
    });
    await bounded(greeting);
    await execute("qmp_capabilities");
    const completed = new Promise<void>((resolve, reject) => {
      waiters.add((ev) => {
        if (ev.event !== "MIGRATION") return;
        if (ev.data?.status === "completed") resolve();
        if (ev.data?.status === "failed") reject(new Error(`raw QEMU: migration failed: ${stderr.trim()}`));
      });
    });
    await execute("migrate-set-capabilities", { capabilities: [{ capability: "x-ignore-shared", state: true }] });
    await execute("migrate-incoming", { uri: `fd:${STATE_FD}` });
    await bounded(completed);
  })();
  loaded.catch(() => {});

  return {
    loaded,
    async resume() {
      const pingId = ++agentIds;
      const answered = new Promise<void>((r) => pongs.set(pingId, r));
      await execute("cont");
      const hostname = `raw-${pingId}`;
      sockets[1].write(`${++agentIds} sethostname ${hostname}\n${++agentIds} reseed ${randomBytes(32).toString("hex")}\n${pingId} ping\n`);
      await bounded(answered);
    },
    stop: () => execute("stop"),
    kill,
  };
}

/** Times `f`, in ms. */
export async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}
