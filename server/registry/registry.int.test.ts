import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "@/server/app/create-app";
import { testAppConfig } from "@/server/app/test-support";
import { config } from "@/server/config";
import type { OciStore } from "@/server/images/oci-store";
import { buildBusyboxLayout, exportArchive, HELLO_LINE } from "@/server/images/test-support";
import type { RunningHandle, StartRequest } from "@/server/engine/contract";
import { listRepositories, listTags, manifestDigest } from "./client";
import type { Endpoint, RegistryManager } from "./manager";
import { pullImage, pushImage } from "./transfer";

// The whole cycle of Figure 2.4 on real tools: an image built with umoci and
// imported, pushed to the docker-registry Isolab started, deleted locally,
// pulled back with the same digest, then run as a container (runc) and as a
// VM (QEMU, TCG), reading the entrypoint's output in each. Then the faults:
// a registry that is down, a tag that does not exist, a push killed midway.

let dir: string;
let app: App;
let store: OciStore;
let manager: RegistryManager;
let ep: Endpoint;
let pushedDigest: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-reg-"));
  app = createApp(testAppConfig(dir, { kernelPath: path.join(config.dataDir, "kernel", "vmlinux") }));
  await app.ready;
  ({ images: store, registry: manager } = app);
  const layout = await buildBusyboxLayout(path.join(dir, "src"), "hello:1");
  await store.importArchive(await exportArchive(layout, "hello:1", path.join(dir, "hello.tar"), "docker-archive"), { name: "isolab/hello:1" });
  const status = await manager.start();
  expect(status).toMatchObject({ mode: "managed", reachable: true });
  ep = manager.endpoint();
});

afterAll(async () => {
  const pid = (await manager.status()).pid;
  await app.shutdown();
  if (pid) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("push, delete, pull", () => {
  it("pushes a local image and lists it in the catalog", async () => {
    const local = await store.get("isolab/hello:1");
    const pushed = await pushImage(store, ep, { image: "isolab/hello:1" });
    expect(pushed).toMatchObject({ reference: `${ep.host}/isolab/hello:1`, digest: local.digest });
    pushedDigest = pushed.digest;
    expect(await listRepositories(ep.url)).toContain("isolab/hello");
    expect(await listTags(ep.url, "isolab/hello")).toEqual(["1"]);
  });

  it("pulls it back after a local delete: same digest, origin the registry", async () => {
    await store.remove("isolab/hello:1");
    await expect(store.get("isolab/hello:1")).rejects.toMatchObject({ name: "ImageNotFoundError" });
    const { image } = await pullImage(store, ep, { repository: "isolab/hello", tag: "1" });
    expect(image.digest).toBe(pushedDigest);
    expect(image.origin).toMatchObject({ kind: "pulled", registry: ep.host, detail: `${ep.host}/isolab/hello:1` });
  });

  it("names a tag that does not exist", async () => {
    await expect(pullImage(store, ep, { repository: "isolab/hello", tag: "nope" })).rejects.toMatchObject({ name: "TagNotFoundError", status: 404 });
    await expect(pullImage(store, ep, { repository: "nobody/here", tag: "1" })).rejects.toMatchObject({ name: "TagNotFoundError" });
  });

  it("names a registry that is down", async () => {
    // A port nothing listens on: taken from the kernel, then released.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
    const down: Endpoint = { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, insecure: true };
    await expect(pullImage(store, down, { repository: "isolab/hello", tag: "1" })).rejects.toMatchObject({ name: "RegistryUnavailableError", status: 503 });
    await expect(pushImage(store, down, { image: "isolab/hello:1" })).rejects.toMatchObject({ name: "RegistryUnavailableError" });
  });
});

describe("the pulled image runs both ways", () => {
  const request = async (kind: "container" | "vm", id: string): Promise<StartRequest> => ({
    id,
    name: id,
    image: await store.runtimeImage("isolab/hello:1", kind),
    memoryMiB: 128,
    cpus: 1,
    dir: path.join(dir, "instances", id),
    readyTimeoutMs: 30_000,
  });
  const waitForLine = async (file: string, line: string) => {
    for (let i = 0; i < 100 && !(fs.existsSync(file) && fs.readFileSync(file, "utf8").includes(line)); i++) await sleep(50);
    return fs.readFileSync(file, "utf8");
  };

  it("as a container: the image's entrypoint, env and working directory; no probe inside", async () => {
    const engine = app.engines.container;
    const h: RunningHandle = await engine.start(await request("container", "ct-hello"));
    try {
      // Its first confined start shifts the freshly pulled rootfs into the user namespace's range; no READY (no probe).
      expect(h.startup.phases.map((p) => p.name)).toEqual(["rootfs-shift", "runtime-run"]);
      expect(h.probe).toBe(false);
      const log = await waitForLine(h.logPath, "cwd=/bin greeting=hi there");
      expect(log).toContain(HELLO_LINE);
      expect(log).toContain("cwd=/bin greeting=hi there");
      await expect(h.exec("info", [])).rejects.toMatchObject({ name: "ProbeUnavailableError", status: 409 });
    } finally {
      // sh as pid 1 ignores SIGTERM (as under Docker): no need to wait out the default grace.
      await h.stop({ timeoutMs: 500 });
      await engine.reconcile(dir);
    }
  });

  it("as a VM: Isolab's init starts the entrypoint on the console and the probe agent beside it", async () => {
    const engine = app.engines.vm;
    const h = await engine.start(await request("vm", "vm-hello"));
    try {
      expect(h.startup.phases.map((p) => p.name)).toEqual(["qemu-up", "kernel", "ready"]);
      const console = await waitForLine(h.logPath, "cwd=/bin greeting=hi there");
      expect(console).toContain(HELLO_LINE);
      expect(console).toContain("cwd=/bin greeting=hi there");
      const info = await h.exec("info", []);
      expect(info.exitCode).toBe(0);
      expect(info.output).toContain('"hostname":"vm-hello"');
      expect(info.output).toMatch(/"comm":"sleep"/);
    } finally {
      await h.stop();
      await engine.reconcile(dir);
    }
  });
});

describe("an interrupted push", () => {
  it("leaves the registry serving the old tag", async () => {
    // A second image, with a 48 MiB incompressible layer, pushed over the same tag and killed midway.
    const layout = await buildBusyboxLayout(path.join(dir, "big"), "big:1", { files: { "data/blob": 48 * 1024 * 1024 } });
    await store.importArchive(await exportArchive(layout, "big:1", path.join(dir, "big.tar"), "oci-archive"), { name: "isolab/hello:big" });
    const uploads = path.join(manager.paths.dataDir, "docker", "registry", "v2", "repositories", "isolab", "hello", "_uploads");
    const uploaded = () => {
      let bytes = 0;
      for (const u of fs.existsSync(uploads) ? fs.readdirSync(uploads) : []) {
        const data = path.join(uploads, u, "data");
        if (fs.existsSync(data)) bytes += fs.statSync(data).size;
      }
      return bytes;
    };
    let pid = 0;
    const push = pushImage(store, ep, { image: "isolab/hello:big", tag: "1" }, { onSpawn: (p) => (pid = p) });
    for (let i = 0; i < 400 && uploaded() < 1024 * 1024; i++) await sleep(10);
    expect(uploaded()).toBeGreaterThan(0);
    process.kill(-pid, "SIGKILL");
    await expect(push).rejects.toThrow();

    expect(await listTags(ep.url, "isolab/hello")).toEqual(["1"]);
    expect(await manifestDigest(ep.url, "isolab/hello", "1")).toBe(pushedDigest);
    await store.remove("isolab/hello:1");
    const { image } = await pullImage(store, ep, { repository: "isolab/hello", tag: "1" });
    expect(image.digest).toBe(pushedDigest);
  });
});
