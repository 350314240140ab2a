import "server-only";
import fs from "node:fs";
import path from "node:path";
import { config } from "@/server/config";
import type { ImageRef } from "@/server/engine/contract";
import { runCli } from "./cli";
import { cgroupDirs } from "./cgroup";
import type { RuntimeName } from "./runtime";
import { runtimeRoot } from "./select-runtime";
import { isolabCgroupPath } from "./cgroup-placement";

// Shared by the integration tests and the start benchmark: the real probe
// image, and a check that a container left nothing behind.

/**
 * How much more time than on this host the generous waits of the container
 * tests get (a READY, an exec): the nested cgroup v2 guest runs them under
 * TCG, ≈10× slower, and sets ISOLAB_TEST_TIME_SCALE. The short waits a test
 * is about (a 300 ms READY timeout) are never scaled.
 */
export const TEST_TIME_SCALE = timeScale(process.env.ISOLAB_TEST_TIME_SCALE);

function timeScale(v: string | undefined): number {
  const n = Number(v ?? "1");
  if (!Number.isFinite(n) || n < 1 || n > 100) throw new Error(`ISOLAB_TEST_TIME_SCALE must be a number from 1 to 100, got ${v}`);
  return n;
}

/** The probe image built by `npm run setup` (guest/README.md). */
export function probeImage(imagesDir = config.imagesDir): ImageRef {
  const rootfsDir = path.join(imagesDir, "probe", "rootfs");
  const probePath = path.join(rootfsDir, "bin", "probe");
  if (!fs.existsSync(probePath)) throw new Error(`no probe image at ${rootfsDir}: run \`npm run setup\` first`);
  return { name: "probe", rootfsDir, initramfsPath: path.join(imagesDir, "probe", "initramfs.cpio"), probePath };
}

/** Everything a container could leave behind, as a list of words (empty when clean). */
export async function leftovers(stateDir: string, id: string, dir?: string, runtime: RuntimeName = config.ociRuntime): Promise<string[]> {
  const found: string[] = [];
  const res = await runCli(runtime, ["--root", runtimeRoot(runtime, stateDir), "list", "--format", "json"]);
  // runc prints "null" or "[]" for none, crun "[\n\n]".
  const listed = res.stdout.trim();
  if (listed !== "" && listed !== "null" && listed.replace(/\s+/g, "") !== "[]") found.push(`${runtime} list: ${listed}`);
  for (const d of cgroupDirs(isolabCgroupPath(id))) if (fs.existsSync(d)) found.push(d);
  if (dir) for (const f of ["bundle", "container.pid"]) if (fs.existsSync(path.join(dir, f))) found.push(path.join(dir, f));
  return found;
}
