import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "./free-port";
import { alive, createManagedDaemon, daemonPaths, killGroup, type DaemonPaths } from "./managed-daemon";
import { pidRuns } from "./process-tools";

// The shared lifecycle of the registry's and Prometheus's managers, on real
// processes: a small node server stands in for the daemon (its arguments
// name the config, as theirs do), so every path — ready, exited before
// ready, never ready, a crashed run's pid file, an exit on its own — runs
// without the Debian packages.

const DAEMON_SCRIPT = `
const fs = require("node:fs");
const http = require("node:http");
const { spawn } = require("node:child_process");
const [config, port, behaviour, pidDir] = process.argv.slice(2);
if (pidDir) fs.writeFileSync(pidDir + "/daemon.pid", String(process.pid));
if (behaviour === "serve") http.createServer((_, res) => res.end("ok")).listen(Number(port), "127.0.0.1");
if (behaviour === "idle") setInterval(() => {}, 1000);
if (behaviour === "exit") { console.error("boom: cannot read " + config); process.exit(1); }
if (behaviour === "silent") {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", config], { stdio: "ignore" });
  fs.writeFileSync(pidDir + "/grandchild.pid", String(child.pid));
  setInterval(() => {}, 1000);
}
`;

class TestUnavailableError extends Error {
  constructor(
    message: string,
    readonly details?: { logTail: string },
  ) {
    super(message);
  }
}

let dir: string;
let paths: DaemonPaths;
let script: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-daemon-"));
  paths = daemonPaths(dir, "stand-in", "stand-in.conf");
  fs.mkdirSync(paths.dir);
  script = path.join(dir, "daemon.cjs");
  fs.writeFileSync(script, DAEMON_SCRIPT);
});

// Whatever a test left, even one a broken start lost track of: every process whose command line names this test's directory.
afterEach(() => {
  for (const entry of fs.readdirSync("/proc")) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid !== process.pid && pidRuns(pid, dir)) killGroup(pid, "SIGKILL");
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Polls until pid is gone; false if it outlives the bound. The test's own children are reaped by node, so
 * they must vanish; a grandchild is reaped by whoever adopted it, so a zombie counts as dead.
 */
async function gone(pid: number, { zombieIsGone = false } = {}): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!alive(pid) || (zombieIsGone && zombie(pid))) return true;
    await sleep(20);
  }
  return false;
}

function zombie(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
}

function standIn(behaviour: "serve" | "exit" | "silent", readyTimeoutMs = 10_000) {
  let prepared = 0;
  const daemon = createManagedDaemon<string>({
    paths,
    requireInstalled: () => {},
    async prepare() {
      prepared++;
      const port = await freePort();
      return { binary: process.execPath, args: [script, paths.configPath, String(port), behaviour, dir], port };
    },
    probe: async (url) => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(500) });
        return res.ok ? null : `answered ${res.status}`;
      } catch (err) {
        return (err as Error).message;
      }
    },
    readyTimeoutMs,
    probeEveryMs: 50,
    Unavailable: TestUnavailableError,
    texts: {
      none: "none yet",
      leftover: (pid) => `stand-in pid ${pid}`,
      notUp: (url, exited, tail) => `not up on ${url}${exited ? " (it exited)" : ""}: ${tail}`,
      exitedOnItsOwn: (pid) => `pid ${pid} exited on its own`,
      externalDropped: "dropped the external one",
    },
  });
  return { daemon, prepared: () => prepared };
}

describe("a managed daemon", () => {
  it("starts once for two callers, records its pid, and a stop ends it and removes the pid file", async () => {
    const { daemon, prepared } = standIn("serve");
    expect(daemon.check()).toMatchObject({ mode: "stopped", note: "none yet" });
    await Promise.all([daemon.start(), daemon.start()]);
    expect(prepared()).toBe(1);
    const run = daemon.check().managed!;
    expect(daemon.check().mode).toBe("managed");
    expect(fs.readFileSync(paths.pidFile, "utf8")).toBe(String(run.pid));
    expect(run.url).toBe(`http://127.0.0.1:${run.port}`);
    expect((await fetch(run.url)).status).toBe(200);

    await daemon.stop();
    expect(await gone(run.pid)).toBe(true);
    expect(fs.existsSync(paths.pidFile)).toBe(false);
    expect(daemon.check()).toMatchObject({ mode: "stopped", managed: null, note: "stopped by Isolab" });
    await daemon.stop(); // idempotent
  });

  it("one that exits before it answers: an error with its log's tail, no pid file, nothing recorded", async () => {
    const { daemon } = standIn("exit");
    const err = await daemon.start().then(
      () => null,
      (e: TestUnavailableError) => e,
    );
    expect(err).toBeInstanceOf(TestUnavailableError);
    expect(err!.message).toMatch(/^not up on http:\/\/127\.0\.0\.1:\d+ \(it exited\): boom: cannot read /);
    expect(err!.details?.logTail).toContain(`boom: cannot read ${paths.configPath}`);
    expect(fs.existsSync(paths.pidFile)).toBe(false);
    expect(daemon.check().mode).toBe("stopped");
  });

  it("one that never answers is killed with its whole group at the deadline", async () => {
    const { daemon } = standIn("silent", 1500);
    await expect(daemon.start()).rejects.toThrow(/^not up on http:\/\/127\.0\.0\.1:\d+: /);
    const pid = Number(fs.readFileSync(path.join(dir, "daemon.pid"), "utf8"));
    const grandchild = Number(fs.readFileSync(path.join(dir, "grandchild.pid"), "utf8"));
    expect(await gone(pid)).toBe(true);
    expect(await gone(grandchild, { zombieIsGone: true })).toBe(true);
    expect(fs.existsSync(paths.pidFile)).toBe(false);
  });

  it("one that exits on its own is forgotten, its note saying so", async () => {
    const { daemon } = standIn("serve");
    await daemon.start();
    const { pid } = daemon.check().managed!;
    killGroup(pid, "SIGKILL");
    expect(await gone(pid)).toBe(true);
    expect(daemon.check()).toMatchObject({ mode: "stopped", managed: null, note: `pid ${pid} exited on its own` });
  });

  it("use() stops its own first; stop() then only forgets the external one", async () => {
    const { daemon } = standIn("serve");
    await daemon.start();
    const { pid } = daemon.check().managed!;
    await daemon.use("http://elsewhere:9090");
    expect(await gone(pid)).toBe(true);
    expect(daemon.check()).toMatchObject({ mode: "external", managed: null, external: "http://elsewhere:9090" });
    await daemon.stop();
    expect(daemon.check()).toMatchObject({ mode: "stopped", external: null, note: "dropped the external one" });
  });
});

describe("reconcile", () => {
  function leftover(configPath: string): number {
    const child = spawn(process.execPath, [script, configPath, "0", "idle"], { stdio: "ignore", detached: true });
    child.unref();
    return child.pid!;
  }

  it("ends the daemon a crashed run's pid file names when it runs our config, once", async () => {
    const pid = leftover(paths.configPath);
    fs.writeFileSync(paths.pidFile, String(pid));
    const { daemon } = standIn("serve");
    expect(daemon.reconcile()).toEqual([`stand-in pid ${pid}`]);
    expect(await gone(pid)).toBe(true);
    expect(fs.existsSync(paths.pidFile)).toBe(false);
    fs.writeFileSync(paths.pidFile, String(pid));
    expect(daemon.reconcile()).toEqual([]);
  });

  it("leaves a process that runs another config (a recycled pid) alone, and drops the pid file", async () => {
    const pid = leftover(path.join(dir, "other.conf"));
    fs.writeFileSync(paths.pidFile, String(pid));
    const { daemon } = standIn("serve");
    expect(daemon.reconcile()).toEqual([]);
    expect(alive(pid)).toBe(true);
    expect(fs.existsSync(paths.pidFile)).toBe(false);
  });
});
