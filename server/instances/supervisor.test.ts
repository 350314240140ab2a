import path from "node:path";
import { describe, expect, it } from "vitest";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import { MissingDependencyError, NotFoundError, StartFailedError } from "@/server/errors";
import type { Engine, ImageRef, InstanceExit, RunningHandle, StartRequest } from "../engine/contract";
import type { InstanceFiles } from "./instance-files";
import { Supervisor } from "./supervisor";

// The supervisor's failure paths with fake engines and fake files: no
// process, container or disk is touched, so every fault is exact.

const STATE = "/fake/state";
const image: ImageRef = { name: "probe", rootfsDir: "/fake/rootfs", initramfsPath: "/fake/initramfs", probePath: "/fake/probe" };
const req = (over: object = {}) => CreateInstanceSchema.parse({ kind: "container", ...over });
const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));

function errno(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  const text = code === "ENOSPC" ? "no space left on device" : "disk quota exceeded";
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${file}'`), { code, syscall, path: file });
}

/** Instance files in memory; `fail` makes one kind of write throw. */
function memoryFiles() {
  const dirs = new Set<string>();
  const files = new Map<string, string>();
  const faults: { mkdir?: Error; writeFile?: (file: string) => Error | undefined } = {};
  const api: InstanceFiles = {
    mkdir(dir) {
      if (faults.mkdir) throw faults.mkdir;
      dirs.add(dir);
    },
    writeFile(file, data) {
      const fault = faults.writeFile?.(file);
      if (fault) throw fault;
      if (!dirs.has(path.dirname(file))) throw errno("ENOENT", "open", file);
      files.set(file, data);
    },
    remove(dir) {
      dirs.delete(dir);
      for (const f of files.keys()) if (f.startsWith(`${dir}/`)) files.delete(f);
    },
  };
  return { api, dirs, files, faults };
}

/** A handle whose end the test decides: `end()` plays a kill from outside, stop() plays Isolab's stop. */
function fakeHandle(pid: number) {
  let end!: (exit: InstanceExit) => void;
  const exited = new Promise<InstanceExit>((r) => (end = r));
  const handle = {
    pid,
    startup: {
      totalMs: 30,
      phases: [
        { name: "runtime-run", ms: 20 },
        { name: "ready", ms: 10 },
      ],
    },
    logPath: "/fake/container.log",
    stops: 0,
    exec: async () => ({ exitCode: 0, output: "" }),
    stop: async () => {
      handle.stops++;
      end({ code: null, signal: "SIGTERM", reason: "stopped by Isolab" });
    },
    exited,
    end: (exit: InstanceExit) => end(exit),
    hostUsage: () => ({ cpuNs: 0, cpuResolutionNs: 1e7, memoryBytes: 0, memorySource: "pss" as const, rssBytes: 0, threads: 1, processes: 1 }),
    capabilities: {},
  };
  return handle satisfies RunningHandle;
}

type FakeHandle = ReturnType<typeof fakeHandle>;

/** A container engine whose start does what `behave` says; by default it is ready after a few ms and honours an abort. */
function fakeEngine(behave?: (r: StartRequest, handle: FakeHandle) => Promise<RunningHandle>) {
  const started: StartRequest[] = [];
  const handles: FakeHandle[] = [];
  const engine: Engine = {
    kind: "container",
    check: () => tick(),
    start: async (r) => {
      started.push(r);
      const handle = fakeHandle(1000 + handles.length);
      handles.push(handle);
      if (behave) return behave(r, handle);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 5);
        r.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new StartFailedError("The container did not become ready: the start was aborted"));
        });
      });
      return handle;
    },
    reconcile: async () => [],
  };
  return { engine, started, handles };
}

/** An engine start that is never ready: it ends only when aborted, as the engines do. */
const neverReady = (r: StartRequest): Promise<RunningHandle> =>
  new Promise((_resolve, reject) =>
    r.signal?.addEventListener("abort", () => reject(new StartFailedError("The container did not become ready: the start was aborted"))),
  );

const unused = (kind: "process" | "vm"): Engine => ({
  kind,
  check: async () => {},
  start: async () => {
    throw new Error(`${kind} is not under test here`);
  },
  reconcile: async () => [],
});

function setup(
  opts: { engine?: Engine; limits?: { maxInstances: number; maxMemoryMiB: number }; now?: () => number; getImage?: () => Promise<ImageRef> } = {},
) {
  const fake = fakeEngine();
  const files = memoryFiles();
  const supervisor = new Supervisor({
    engines: { process: unused("process"), container: opts.engine ?? fake.engine, vm: unused("vm") },
    getImage: opts.getImage ?? (async () => image),
    stateDir: STATE,
    limits: opts.limits ?? { maxInstances: 8, maxMemoryMiB: 4096 },
    files: files.api,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { supervisor, files, ...fake };
}

const outcome = (results: PromiseSettledResult<unknown>[]) => ({
  ok: results.filter((r) => r.status === "fulfilled").length,
  statuses: results.flatMap((r) => (r.status === "rejected" ? [(r.reason as { status?: number }).status] : [])),
});

describe("Supervisor: reservations", () => {
  it("lets exactly the instance cap through when starts arrive together", async () => {
    const { supervisor } = setup({ limits: { maxInstances: 3, maxMemoryMiB: 4096 } });
    const { ok, statuses } = outcome(await Promise.allSettled(Array.from({ length: 10 }, () => supervisor.create(req()))));
    expect(ok).toBe(3);
    expect(statuses).toEqual(Array(7).fill(429));
    expect(supervisor.list().filter((i) => i.state === "running")).toHaveLength(3);
  });

  it("lets exactly the memory cap through when starts arrive together", async () => {
    const { supervisor } = setup({ limits: { maxInstances: 64, maxMemoryMiB: 512 } });
    const { ok, statuses } = outcome(await Promise.allSettled(Array.from({ length: 10 }, () => supervisor.create(req({ memoryMiB: 128 })))));
    expect(ok).toBe(4);
    expect(statuses).toEqual(Array(6).fill(429));
  });

  it("lets exactly one of five starts with one name through", async () => {
    const { supervisor } = setup();
    const { ok, statuses } = outcome(await Promise.allSettled(Array.from({ length: 5 }, () => supervisor.create(req({ name: "same" })))));
    expect(ok).toBe(1);
    expect(statuses).toEqual([409, 409, 409, 409]);
  });

  it("releases the reservation of a start that failed before the engine was asked", async () => {
    let missing = true;
    const { supervisor } = setup({
      limits: { maxInstances: 1, maxMemoryMiB: 4096 },
      getImage: async () => {
        if (missing) throw new NotFoundError("There is no image");
        return image;
      },
    });
    await expect(supervisor.create(req({ name: "a" }))).rejects.toMatchObject({ status: 404, message: "There is no image" });
    expect(supervisor.list()).toHaveLength(0);
    missing = false;
    expect((await supervisor.create(req({ name: "a" }))).state).toBe("running");
  });
});

describe("Supervisor: the engine's check", () => {
  it("runs on a kind's first start, and again only after a start of that kind failed", async () => {
    let checks = 0;
    let fail = false;
    const { engine } = fakeEngine(async (_r, handle) => {
      if (fail) throw new StartFailedError("The container did not become ready: runc vanished");
      return handle;
    });
    const { supervisor } = setup({ engine: { ...engine, check: async () => void checks++ } });
    await supervisor.create(req());
    await supervisor.create(req());
    expect(checks).toBe(1);
    fail = true;
    await expect(supervisor.create(req())).rejects.toMatchObject({ status: 500 });
    fail = false;
    await supervisor.create(req());
    expect(checks).toBe(2);
  });

  it("names a missing part before a missing image", async () => {
    const missing = new MissingDependencyError("runc", "The OCI runtime `runc` was not found on PATH.");
    const { engine } = fakeEngine();
    const { supervisor } = setup({
      engine: { ...engine, check: () => tick(5).then(() => Promise.reject(missing)) },
      getImage: () => Promise.reject(new NotFoundError("There is no image")),
    });
    await expect(supervisor.create(req())).rejects.toBe(missing);
  });
});

describe("Supervisor: shutdown", () => {
  it("refuses a start once shutting down", async () => {
    const { supervisor, started } = setup();
    await supervisor.shutdown();
    await expect(supervisor.create(req())).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/shutting down/) });
    expect(started).toHaveLength(0);
  });

  it("aborts a start in the engine and leaves nothing behind", async () => {
    const { engine, started } = fakeEngine(neverReady);
    const { supervisor, files } = setup({ engine });
    const pending = supervisor.create(req({ name: "late" }));
    await expect.poll(() => started.length).toBe(1);
    expect(started[0].signal?.aborted).toBe(false);
    await supervisor.shutdown();
    await expect(pending).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/shutting down/) });
    expect(started[0].signal?.aborted).toBe(true);
    expect(supervisor.list().map((i) => i.state)).toEqual(["failed"]);
    expect(files.dirs.size).toBe(0);
  });

  it("undoes a start whose engine finished despite the abort", async () => {
    let finish!: () => void;
    const { engine, handles } = fakeEngine(async (_r, handle) => {
      await new Promise<void>((r) => (finish = r));
      return handle;
    });
    const { supervisor, files } = setup({ engine });
    const pending = supervisor.create(req());
    await expect.poll(() => handles.length).toBe(1);
    const down = supervisor.shutdown();
    finish();
    await down;
    await expect(pending).rejects.toMatchObject({ status: 409 });
    expect(handles[0].stops).toBe(1);
    expect(files.dirs.size).toBe(0);
  });

  it("aborts a start still waiting for its image, before the engine is asked", async () => {
    const { supervisor, started, files } = setup({ getImage: () => new Promise<ImageRef>(() => {}) });
    const pending = supervisor.create(req());
    await tick(5);
    await supervisor.shutdown();
    await expect(pending).rejects.toMatchObject({ status: 409 });
    expect(started).toHaveLength(0);
    expect(supervisor.list()).toHaveLength(0);
    expect(files.dirs.size).toBe(0);
  });
});

describe("Supervisor: a full disk at each write of a start", () => {
  const cases: [string, (f: ReturnType<typeof memoryFiles>) => Engine | undefined][] = [
    ["mkdir of the instance directory", (f) => void (f.faults.mkdir = errno("ENOSPC", "mkdir", `${STATE}/instances/x`))],
    ["the creating record", (f) => void (f.faults.writeFile = (file) => errno("ENOSPC", "write", file))],
    [
      "the running record",
      (f) => {
        let writes = 0;
        f.faults.writeFile = (file) => (++writes === 2 ? errno("EDQUOT", "write", file) : undefined);
        return undefined;
      },
    ],
    [
      "the engine's start (its own errno)",
      () =>
        fakeEngine(async (r) => {
          throw errno("ENOSPC", "open", `${r.dir}/bundle/config.json`);
        }).engine,
    ],
    [
      "the engine's start (wrapped in the engine's words)",
      () =>
        fakeEngine(async (r) => {
          throw new StartFailedError(`The container did not become ready: ENOSPC: no space left on device, open '${r.dir}/bundle/config.json'`, {
            consoleTail: "",
          });
        }).engine,
    ],
  ];

  it.each(cases)("%s: 507 naming the directory, nothing left, nothing held", async (_what, fault) => {
    const files = memoryFiles();
    const fake = fakeEngine();
    const engine = fault(files) ?? fake.engine;
    const supervisor = new Supervisor({
      engines: { process: unused("process"), container: engine, vm: unused("vm") },
      getImage: async () => image,
      stateDir: STATE,
      limits: { maxInstances: 1, maxMemoryMiB: 4096 },
      files: files.api,
    });
    const err = (await supervisor.create(req({ name: "full" })).catch((e: unknown) => e)) as {
      status: number;
      message: string;
      details: { directory: string };
    };
    expect(err.status).toBe(507);
    expect(err.message).toContain(`${STATE}/instances/`);
    expect(err.details.directory).toMatch(new RegExp(`^${STATE}/instances/ct-`));
    expect(files.dirs.size).toBe(0);
    expect(files.files.size).toBe(0);
    // Whatever the engine had started was stopped again.
    expect(fake.handles.map((h) => h.stops)).toEqual(fake.handles.map(() => 1));
    expect(supervisor.list().every((i) => i.state === "failed")).toBe(true);
    for (const failed of supervisor.list()) {
      expect((await supervisor.stop(failed.id)).state).toBe("failed");
      await supervisor.remove(failed.id);
    }
    expect(supervisor.list()).toHaveLength(0);
  });

  it("keeps a failed record that holds neither a cap nor its name, and is stoppable and deletable", async () => {
    const files = memoryFiles();
    const supervisor = new Supervisor({
      engines: { process: unused("process"), container: fakeEngine().engine, vm: unused("vm") },
      getImage: async () => image,
      stateDir: STATE,
      limits: { maxInstances: 1, maxMemoryMiB: 4096 },
      files: files.api,
    });
    files.faults.writeFile = (file) => errno("ENOSPC", "write", file);
    await expect(supervisor.create(req({ name: "again" }))).rejects.toMatchObject({ status: 507 });
    const [failed] = supervisor.list();
    expect(failed).toMatchObject({ name: "again", state: "failed", reason: expect.stringMatching(/ENOSPC/) });
    expect((await supervisor.stop(failed.id)).state).toBe("failed");

    delete files.faults.writeFile;
    const retried = await supervisor.create(req({ name: "again" }));
    expect(retried.state).toBe("running");
    expect(supervisor.list().map((i) => i.id)).toEqual([retried.id]);

    files.faults.writeFile = (file) => errno("ENOSPC", "write", file);
    await expect(supervisor.create(req({ name: "other" }))).rejects.toMatchObject({ status: 429 });
  });
});

describe("Supervisor: transitions after the start", () => {
  it("records a kill from outside as exited with its reason and signal", async () => {
    const { supervisor, handles } = setup();
    const inst = await supervisor.create(req());
    handles[0].end({ code: null, signal: "SIGKILL", reason: "killed by SIGKILL" });
    await expect.poll(() => supervisor.get(inst.id).state).toBe("exited");
    expect(supervisor.get(inst.id)).toMatchObject({ reason: "killed by SIGKILL", exitSignal: "SIGKILL" });
    expect(supervisor.get(inst.id).exitCode).toBeUndefined();
    await supervisor.remove(inst.id);
  });

  it("finishes a stop whose record cannot be written", async () => {
    const { supervisor, files, handles } = setup();
    const inst = await supervisor.create(req());
    files.faults.writeFile = (file) => errno("ENOSPC", "write", file);
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect((await supervisor.stop(inst.id)).state).toBe("stopped");
    } finally {
      console.warn = warn;
    }
    expect(handles[0].stops).toBe(1);
    await supervisor.remove(inst.id);
    expect(files.dirs.size).toBe(0);
  });

  it("stops a start in flight: it is undone and the record says stopped", async () => {
    const { engine, started } = fakeEngine(neverReady);
    const { supervisor, files } = setup({ engine });
    const pending = supervisor.create(req({ name: "impatient" }));
    await expect.poll(() => started.length).toBe(1);
    const [creating] = supervisor.list();
    expect(creating.state).toBe("creating");
    expect((await supervisor.stop(creating.id)).state).toBe("stopped");
    await expect(pending).rejects.toMatchObject({ status: 409 });
    expect(files.dirs.size).toBe(0);
    await supervisor.remove(creating.id);
  });
});

describe("Supervisor: startup phases", () => {
  it("reports Isolab's own work from the request as `prepare`; the phases sum to the total", async () => {
    let now = 100;
    const { supervisor } = setup({
      now: () => now,
      getImage: async () => {
        now += 7;
        return image;
      },
    });
    const inst = await supervisor.create(req(), { receivedAt: 95 });
    expect(inst.startup?.phases).toEqual([
      { name: "prepare", ms: 12 },
      { name: "runtime-run", ms: 20 },
      { name: "ready", ms: 10 },
    ]);
    expect(inst.startup?.totalMs).toBe(42);
  });

  it("leaves the engine's phases alone when the caller names no arrival", async () => {
    const { supervisor } = setup();
    const inst = await supervisor.create(req());
    expect(inst.startup?.phases.map((p) => p.name)).toEqual(["runtime-run", "ready"]);
  });
});
