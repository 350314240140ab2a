import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InstanceSample } from "@/lib/metrics/samples";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import type { Instance } from "@/lib/core/types";
import { createApp, type App } from "@/server/app/create-app";
import { testAppConfig } from "@/server/app/test-support";
import type { Supervisor } from "@/server/instances/supervisor";
import type { Sampler } from "./sampler";

// The sampler against a real bare process, a real runc container and a real
// TCG VM: one boot of each, sampled at 2 Hz with the guest view every second.

let stateDir: string;
let app: App;
let supervisor: Supervisor;
let sampler: Sampler;
const ids: Record<"process" | "container" | "vm", string> = { process: "", container: "", vm: "" };

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-sampler-"));
  app = createApp(
    testAppConfig(stateDir, {
      maxInstances: 4,
      maxMemoryMiB: 1024,
      readyTimeoutMs: 30_000,
      sampler: { intervalMs: 500, guestIntervalMs: 1000, guestReadsPerSecond: 6, guestTimeoutMs: 10_000 },
    }),
  );
  await app.ready;
  ({ supervisor, sampler } = app);
  const create = (kind: "process" | "container" | "vm") =>
    supervisor.create(CreateInstanceSchema.parse({ kind, name: `smp-${kind}`, memoryMiB: 128 })).then((i) => (ids[kind] = i.id));
  await Promise.all([create("process"), create("container"), create("vm")]);
}, 60_000);

afterAll(async () => {
  await app?.shutdown();
  await supervisor?.reconcile();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** Waits until the newest sample of `id` satisfies `ok`. */
async function until(id: string, ok: (s: InstanceSample) => boolean, timeoutMs = 20_000): Promise<InstanceSample> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = sampler.samples(id, 60).at(-1);
    if (s && ok(s)) return s;
    if (Date.now() > deadline)
      throw new Error(`no sample of ${id} matched in ${timeoutMs} ms; last: ${JSON.stringify(s)}; guest error: ${sampler.guestError(id)}`);
    await sleep(100);
  }
}

const withGuest = (s: InstanceSample) => s.guestMemoryBytes !== undefined && s.cpuPercent !== null;

describe("sampler on real instances", () => {
  it("reads a container's cgroup: non-zero memory, its processes, CPU and the guest view", async () => {
    const s = await until(ids.container, withGuest);
    expect(s.memoryHostBytes).toBeGreaterThan(0);
    expect(s.rssBytes + (s.cacheBytes ?? 0)).toBeGreaterThan(0);
    expect(s.hostProcesses).toBeGreaterThanOrEqual(1);
    expect(s.hostThreads).toBeGreaterThanOrEqual(s.hostProcesses);
    expect(s.oomKills).toBe(0);
    expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
    // Its own PID namespace: a handful of processes, not the host's.
    expect(s.guestProcesses).toBeLessThan(5);
    // No kernel of its own: it reads the host's meminfo, so no overhead is claimed.
    expect(s.overheadBytes).toBeUndefined();
  });

  it("reads a VM's QEMU: PSS and RSS, threads, and host memory above what the guest sees", async () => {
    const s = await until(ids.vm, withGuest);
    expect(s.pssBytes).toBeGreaterThan(0);
    expect(s.rssBytes).toBeGreaterThanOrEqual(s.pssBytes!);
    expect(s.hostThreads).toBeGreaterThan(1);
    expect(s.memoryHostBytes).toBeGreaterThan(s.guestMemoryBytes!);
    expect(s.overheadBytes).toBeGreaterThan(0);
    expect(s.guestMemTotalBytes).toBeLessThanOrEqual(128 * 2 ** 20);
    // Its own kernel: kernel threads make the list long.
    expect(s.guestProcesses).toBeGreaterThan(10);
  });

  it("reads a bare process's PSS", async () => {
    const s = await until(ids.process, withGuest);
    expect(s.pssBytes).toBeGreaterThan(0);
    expect(s.hostProcesses).toBe(1);
  });

  it("records no zeros for a VM killed between samples; the supervisor says how it ended", async () => {
    const before = sampler.samples(ids.vm, 60).length;
    const pid = supervisor.get(ids.vm).pid!;
    process.kill(pid, "SIGKILL");
    const deadline = Date.now() + 10_000;
    let vm: Instance;
    while ((vm = supervisor.get(ids.vm)).state === "running" && Date.now() < deadline) await sleep(50);
    expect(vm.state).toBe("exited");
    expect(vm.reason).toBeTruthy();
    await sleep(1200); // two more ticks
    const after = sampler.samples(ids.vm, 60);
    expect(after.length).toBeLessThanOrEqual(before + 1);
    expect(after.every((s) => s.memoryHostBytes > 0)).toBe(true);
    expect(sampler.latest()[ids.vm].memoryHostBytes).toBeGreaterThan(0);
  });

  // What it costs is a benchmark figure (npm run bench, "sampler"); here: that it measures it.
  it("measures its own cost: CPU per tick and guest reads", () => {
    const stats = sampler.stats();
    expect(stats.ticks).toBeGreaterThan(3);
    expect(stats.guestReads).toBeGreaterThan(2);
    expect(Number.isFinite(stats.meanTickCpuMs)).toBe(true);
    expect(stats.meanTickCpuMs).toBeGreaterThan(0);
  });
});
