import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExecCancelledError, ExecTimeoutError, InvalidRequestError } from "@/server/errors";
import { cgroupDirs, hostCgroups } from "@/server/container/cgroup";
import { isolabCgroupPath } from "@/server/container/cgroup-placement";
import { v1MountFor } from "@/lib/host/cgroup-mounts";
import type { RunningHandle } from "../engine/contract";
import { pidRuns } from "../host/process-tools";
import { createProcessEngine } from "./engine";

// The bare process against the real probe and the host's real cgroups: it is
// the baseline (no namespaces) but must not take the host — memory, files
// and commands whose caller left are bounded.
const dataDir = path.resolve(process.env.ISOLAB_DATA_DIR ?? ".isolab");
const rootfsDir = path.join(dataDir, "images/probe/rootfs");
const probe = { name: "probe", rootfsDir, initramfsPath: "", probePath: path.join(rootfsDir, "bin/probe") };
const engine = createProcessEngine();

let stateDir: string;
let handle: RunningHandle | undefined;
let id = "";
let n = 0;

beforeAll(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-proc-"));
});
afterEach(async () => {
  await handle?.stop();
  handle = undefined;
});
afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

async function start(memoryMiB: number) {
  id = `proc-test-${process.pid}-${++n}`;
  const dir = path.join(stateDir, "instances", id);
  fs.mkdirSync(dir, { recursive: true });
  handle = await engine.start({ id, name: id, image: probe, memoryMiB, cpus: 0.5, dir, readyTimeoutMs: 10_000 });
  return { handle, dir };
}

/** The memory hierarchy's directory of the instance's cgroup (v1) or its unified one (v2). */
function memoryDir(): string {
  const host = hostCgroups();
  const mount = host.version === "v2" ? host.mounts.find((m) => m.version === 2) : v1MountFor(host.mounts, "memory");
  return path.join(mount!.mountPoint, isolabCgroupPath(id));
}

function cgroupPids(): number[] {
  return fs.readFileSync(path.join(memoryDir(), "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
}

describe("the bare process", () => {
  it("runs in a cgroup of its own, from its first instruction, with the memory and CPU it was given", async () => {
    const { handle } = await start(96);
    // Read from /proc and the cgroup files, not from Isolab.
    const procCgroup = fs.readFileSync(`/proc/${handle.pid}/cgroup`, "utf8");
    expect(procCgroup).toContain(isolabCgroupPath(id));
    expect(cgroupPids()).toContain(handle.pid);
    const host = hostCgroups();
    const limit = host.version === "v2" ? "memory.max" : "memory.limit_in_bytes";
    expect(Number(fs.readFileSync(path.join(memoryDir(), limit), "utf8"))).toBe(96 * 1024 * 1024);
    expect(handle.startup.phases.map((p) => p.name)).toEqual(["cgroup", "spawn", "ready"]);
    // A command beside it joins the same cgroup.
    const info = await handle.exec("info", [], { timeoutMs: 10_000 });
    expect(info.exitCode).toBe(0);
  });

  it("cannot take more memory than it was given: the cgroup's OOM killer ends the command, and says so", async () => {
    const { handle } = await start(64);
    const before = os.freemem();
    const result = await handle.exec("mem", ["512"], { timeoutMs: 60_000 });
    expect(result.exitCode).toBe(137);
    expect(result.output).toContain("out-of-memory killer");
    expect(result.output).toContain("64 MiB");
    // The probe itself keeps serving.
    expect(pidRuns(handle.pid, "probe")).toBe(true);
    expect(before - os.freemem()).toBeLessThan(400 * 1024 * 1024);
  });

  it("writes files only into its scratch directory, each capped", async () => {
    const { handle, dir } = await start(64);
    await expect(handle.exec("io", ["8", "/"], { timeoutMs: 30_000 })).rejects.toThrow(InvalidRequestError);
    const ok = await handle.exec("io", ["4"], { timeoutMs: 30_000 });
    expect(ok.exitCode).toBe(0);
    // 64 MiB of memory → files capped at 32 MiB, as a container's /tmp would be.
    const big = await handle.exec("io", ["48"], { timeoutMs: 30_000 });
    expect(big.exitCode).not.toBe(0);
    expect(big.output).toMatch(/File too large/);
    expect(fs.readdirSync(path.join(dir, "scratch"))).toEqual([]);
  });

  it("kills a command whose caller went away, and answers a timeout as such", async () => {
    const { handle } = await start(64);
    const abort = new AbortController();
    const running = handle.exec("latency", ["60000"], { timeoutMs: 120_000, signal: abort.signal });
    await waitFor(() => cgroupPids().length > 1);
    abort.abort();
    await expect(running).rejects.toThrow(ExecCancelledError);
    await waitFor(() => cgroupPids().length === 1);
    expect(cgroupPids()).toEqual([handle.pid]);

    const slow = handle.exec("latency", ["60000"], { timeoutMs: 300 });
    await expect(slow).rejects.toThrow(ExecTimeoutError);
    await expect(slow).rejects.toMatchObject({ status: 504 });
    await waitFor(() => cgroupPids().length === 1);
  });

  it("leaves no cgroup behind when stopped, when it ends on its own, or after a crash", async () => {
    const first = await start(64);
    await first.handle.stop();
    handle = undefined;
    expect(cgroupDirs(isolabCgroupPath(id)).filter((d) => fs.existsSync(d))).toEqual([]);

    const second = await start(64);
    process.kill(second.handle.pid, "SIGKILL");
    await second.handle.exited;
    await waitFor(() => cgroupDirs(isolabCgroupPath(id)).every((d) => !fs.existsSync(d)));
    handle = undefined;

    // A server that died: the probe and a command beside it still run; reconcile kills both and removes the cgroup.
    const third = await start(64);
    void third.handle.exec("latency", ["60000"], { timeoutMs: 120_000 }).catch(() => {});
    await waitFor(() => cgroupPids().length > 1);
    const removed = await createProcessEngine().reconcile(stateDir);
    expect(removed.join("\n")).toContain(isolabCgroupPath(id));
    await third.handle.exited;
    expect(cgroupDirs(isolabCgroupPath(id)).filter((d) => fs.existsSync(d))).toEqual([]);
    handle = undefined;
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}
