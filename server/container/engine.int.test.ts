import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { config } from "@/server/config";
import { ExecError, StartFailedError } from "@/server/errors";
import type { RunningHandle } from "@/server/engine/contract";
import { cgroupDirs, hostCgroupVersion, readCgroupUsage } from "./cgroup";
import { UnsupportedHostError } from "./errors";
import { createContainerEngine } from "./engine";
import { selectRuntime } from "./select-runtime";
import { TEST_TIME_SCALE } from "./test-support";
import { containerTestBed } from "./test-bed";

// Against the real runtime ISOLAB_OCI_RUNTIME names (runc by default) on this
// host: cgroup v1 hybrid here (ARCHITECTURE.md, "Hosts it has run on"); the
// nested cgroup v2 guest runs this same file with runc and with crun
// (nested-v2.int.test.ts).
const runtime = config.ociRuntime;

const bed = containerTestBed({ prefix: "ct-int", name: "web", defaults: { memoryMiB: 96, cpus: 0.5, readyTimeoutMs: 5000 * TEST_TIME_SCALE } });

async function execJson(h: RunningHandle, command: string, args: string[] = []) {
  const res = await h.exec(command, args, { timeoutMs: 10_000 * TEST_TIME_SCALE });
  expect(res.exitCode).toBe(0);
  return JSON.parse(res.output.trim().split("\n").pop() ?? "") as Record<string, unknown>;
}

describe(`container engine (${runtime})`, () => {
  it("passes check()", async () => {
    await expect(bed.engine.check()).resolves.toBeUndefined();
  });

  it("starts the probe isolated but on the host's kernel, limited, and stops idempotently", async () => {
    const req = bed.request();
    const h = await bed.engine.start(req);
    try {
      expect(h.runtime).toBe(runtime);
      // The first confined start in this state directory also shifts the rootfs (confinement.int.test.ts).
      expect(h.startup.phases.map((p) => p.name).filter((n) => n !== "rootfs-shift")).toEqual(["runtime-run", "ready"]);
      expect(h.startup.totalMs).toBeCloseTo(
        h.startup.phases.reduce((s, p) => s + p.ms, 0),
        5,
      );

      const info = await execJson(h, "info");
      expect(info.kernelRelease).toBe(os.release());
      expect(info.hostname).toBe(req.name);
      const procs = info.processes as { pid: number; comm: string }[];
      expect(procs).toContainEqual({ pid: 1, comm: "probe" });
      expect(info.processCount).toBeLessThanOrEqual(3); // the init and the `info` exec itself

      const usage = readCgroupUsage(`/${h.cgroupPath}`);
      expect(usage.limitBytes).toBe(96 * 2 ** 20);
      expect(usage.procs).toContain(h.pid);
      const [cpuDir] = cgroupDirs(`/${h.cgroupPath}`).filter((d) => d.includes("/cpu/"));
      if (cpuDir) expect(fs.readFileSync(path.join(cpuDir, "cpu.cfs_quota_us"), "utf8").trim()).toBe("50000");
      if (hostCgroupVersion() === "v2") {
        const [unified] = cgroupDirs(`/${h.cgroupPath}`);
        expect(fs.readFileSync(path.join(unified, "cpu.max"), "utf8").trim()).toBe("50000 100000");
        expect(fs.readFileSync(path.join(unified, "memory.max"), "utf8").trim()).toBe(String(96 * 2 ** 20));
      }
    } finally {
      await Promise.all([h.stop(), h.stop()]);
    }
    await h.stop();
    await expect(h.exited).resolves.toMatchObject({ reason: "stopped by Isolab" });
  });

  it("can launch with create + start and time both phases", async () => {
    const twoStep = createContainerEngine({ stateDir: bed.stateDir, launch: "create-start" });
    const h = await twoStep.start(bed.request());
    try {
      expect(h.startup.phases.map((p) => p.name)).toEqual(["runtime-create", "runtime-start", "ready"]);
      expect((await execJson(h, "ping")).pong).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it("streams progress lines and kills a timed-out command inside the container", async () => {
    const h = await bed.engine.start(bed.request());
    try {
      const lines: string[] = [];
      const res = await h.exec("mem", ["16", "8"], { onLine: (l) => lines.push(l) });
      expect(res.exitCode).toBe(0);
      expect(lines.filter((l) => l.includes('"progress":true'))).toHaveLength(2);

      await expect(h.exec("latency", ["20000", "100"], { timeoutMs: 300 })).rejects.toThrow(ExecError);
      const info = await execJson(h, "info");
      const procs = info.processes as { comm: string }[];
      expect(procs.filter((p) => p.comm === "probe")).toHaveLength(2); // init + this info, no latency left
      await expect(h.exec("no-such-command", [])).resolves.toMatchObject({ exitCode: expect.any(Number) });
    } finally {
      await h.stop({ timeoutMs: 2000 });
    }
  });

  it("counts an OOM kill when a workload outgrows the memory limit", async () => {
    const h = await bed.engine.start(bed.request({ memoryMiB: 48 }));
    try {
      const res = await h.exec("mem", ["128", "16"], { timeoutMs: 20_000 * TEST_TIME_SCALE });
      expect(res.exitCode).not.toBe(0);
      expect(readCgroupUsage(`/${h.cgroupPath}`).oomKills).toBeGreaterThan(0);
      expect((await execJson(h, "ping")).pong).toBe(true); // the init survived
    } finally {
      await h.stop();
    }
  });

  it("undoes a start whose init cannot run", async () => {
    const bad = createContainerEngine({ stateDir: bed.stateDir, initArgs: ["/bin/does-not-exist"] });
    const err = await bad.start(bed.request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartFailedError);
    expect((err as StartFailedError).details).toMatchObject({ consoleTail: expect.stringContaining("does-not-exist") });
  });

  it("undoes a start that never prints READY within the timeout", async () => {
    const silent = createContainerEngine({ stateDir: bed.stateDir, initArgs: ["/bin/sleep", "30"] });
    await expect(silent.start(bed.request({ readyTimeoutMs: 300 }))).rejects.toThrow(/no READY line within 300 ms/);
  });

  it("undoes a start that is aborted", async () => {
    const ac = new AbortController();
    const slow = createContainerEngine({ stateDir: bed.stateDir, initArgs: ["/bin/sleep", "30"] });
    setTimeout(() => ac.abort(), 150);
    await expect(slow.start(bed.request({ signal: ac.signal }))).rejects.toThrow(StartFailedError);
  });

  it("resolves exited, and cleans up, when the init exits on its own", async () => {
    const shortLived = createContainerEngine({
      stateDir: bed.stateDir,
      exitPollMs: 50,
      initArgs: ["/bin/sh", "-c", "echo READY; sleep 0.2; echo bye; exit 3"],
    });
    const h = await shortLived.start(bed.request());
    const exit = await h.exited;
    expect(exit.reason).toMatch(/exited on its own.*bye/);
    expect(exit).toMatchObject({ code: 3, signal: null }); // the shim's record of the init's status
    await expect(h.stop()).resolves.toBeUndefined();
  });

  it("says SIGKILL when the init is killed from outside Isolab", async () => {
    const h = await bed.engine.start(bed.request());
    process.kill(h.pid, "SIGKILL");
    const exit = await h.exited;
    expect(exit).toMatchObject({ code: null, signal: "SIGKILL", reason: expect.stringMatching(/killed by SIGKILL/) });
    await expect(h.stop()).resolves.toBeUndefined();
  });

  it("says OOM when the init itself outgrows the memory limit", async () => {
    const hog = createContainerEngine({
      stateDir: bed.stateDir,
      exitPollMs: 50,
      initArgs: ["/bin/sh", "-c", "echo READY; exec /bin/probe mem 256 16"],
    });
    const h = await hog.start(bed.request({ memoryMiB: 48 }));
    const exit = await h.exited;
    expect(exit).toMatchObject({ code: null, signal: "SIGKILL", reason: expect.stringMatching(/OOM killer at the memory limit of 48 MiB/) });
    await expect(h.stop()).resolves.toBeUndefined();
  });

  it("reconcile removes containers a crashed server left behind", async () => {
    const req = bed.request();
    const h = await bed.engine.start(req);
    const removed = await bed.engine.reconcile(bed.stateDir);
    expect(removed).toContain(`${runtime} container ${req.id}`);
    await expect(h.exited).resolves.toMatchObject({ reason: expect.stringContaining("on its own") });
    // `exited` settles once the init is gone, before its traces are removed: stop() waits for that removal.
    await expect(h.stop()).resolves.toBeUndefined();
  });

  // Only a hybrid host whose cgroup2 side holds controllers makes crun 1.8 refuse (this project's hosts do).
  const crunRefuses =
    hostCgroupVersion() === "hybrid" && fs.readFileSync("/sys/fs/cgroup/unified/cgroup.controllers", { encoding: "utf8", flag: "r" }).trim() !== "";
  it.runIf(crunRefuses)("reports crun's refusal of hybrid cgroups clearly", async () => {
    const crun = selectRuntime("crun", bed.stateDir);
    await expect(crun.check()).rejects.toThrow(UnsupportedHostError);
    const viaCrun = createContainerEngine({ stateDir: bed.stateDir, runtime: "crun" });
    await expect(viaCrun.start(bed.request())).rejects.toThrow(/ISOLAB_OCI_RUNTIME=runc/);
  });
});
