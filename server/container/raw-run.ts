import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { removeCgroup } from "@/server/container/cgroup";
import { CONTAINER_INIT_ARGS, containerSpecFor, writeBundle } from "@/server/container/engine";
import { CONFINED, confinementFor, type ConfineOptions } from "@/server/container/confinement";
import { runtimeRoot, selectRuntime } from "@/server/container/select-runtime";
import { isolabCgroupPath } from "@/server/container/cgroup-placement";
import type { ImageRef } from "@/server/engine/contract";

// An independent timing of a container start: the OCI runtime alone,
// `runc run` in the foreground on a bundle written by the engine's own
// builder, from spawn to READY on its stdout. Used by the honesty test and
// the container-start and runner-overhead benches to compare against Isolab.

/** The image with every path resolved: runc refuses a rootfs reached through a symlink. */
export function realImage(image: ImageRef): ImageRef {
  const real = (p: string) => (p && fs.existsSync(p) ? fs.realpathSync(p) : p);
  return { ...image, rootfsDir: real(image.rootfsDir), initramfsPath: real(image.initramfsPath), probePath: real(image.probePath) };
}

/** Writes a bundle for `id` under `<stateDir>/raw/<id>`, as the engine would for the same request (confined the same way by default). */
export async function writeRawBundle(
  stateDir: string,
  image: ImageRef,
  id: string,
  opts: { memoryMiB?: number; cpus?: number; confine?: ConfineOptions } = {},
): Promise<string> {
  const dir = path.join(stateDir, "raw", id);
  const bundle = path.join(dir, "bundle");
  const req = { id, name: id, image: realImage(image), memoryMiB: opts.memoryMiB ?? 128, cpus: opts.cpus ?? 1, dir };
  const confinement = await confinementFor(req, stateDir, opts.confine ?? CONFINED);
  writeBundle(bundle, containerSpecFor(req, CONTAINER_INIT_ARGS, 512, confinement));
  return bundle;
}

/** Spawn → READY of a foreground `runc run`, in ms; the container is killed, deleted and its cgroup removed after. */
export async function rawRuncRunMs(stateDir: string, bundle: string, id: string, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  const child = spawn("runc", ["--root", runtimeRoot("runc", stateDir), "run", "--bundle", bundle, id], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        out += c;
        if (/^READY\b/m.test(out)) resolve(performance.now() - t0);
      });
      child.once("error", reject);
      void exited.then(() => reject(new Error(`runc run ended before READY: ${stderr.trim()}`)));
      timer = setTimeout(() => reject(new Error(`runc run: no READY within ${timeoutMs} ms`)), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    const runtime = selectRuntime("runc", stateDir);
    await runtime.kill(id, "SIGKILL", { all: true }).catch(() => {});
    await exited;
    await runtime.delete(id, { force: true }).catch(() => {});
    await removeCgroup(isolabCgroupPath(id)).catch(() => {});
  }
}
