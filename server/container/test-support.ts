import "server-only";
import fs from "node:fs";
import path from "node:path";
import { config } from "@/server/config";
import type { ImageRef } from "@/server/engine/contract";
import { runCli } from "./cli";
import { cgroupDirs } from "./cgroup";
import { runtimeRoot } from "./select-runtime";
import { isolabCgroupPath } from "./cgroup-placement";

// Shared by the integration tests and the start benchmark: the real probe
// image, and a check that a container left nothing behind.

/** The probe image built by `npm run setup` (guest/README.md). */
export function probeImage(imagesDir = config.imagesDir): ImageRef {
  const rootfsDir = path.join(imagesDir, "probe", "rootfs");
  const probePath = path.join(rootfsDir, "bin", "probe");
  if (!fs.existsSync(probePath)) throw new Error(`no probe image at ${rootfsDir}: run \`npm run setup\` first`);
  return { name: "probe", rootfsDir, initramfsPath: path.join(imagesDir, "probe", "initramfs.cpio"), probePath };
}

/** Everything a container could leave behind, as a list of words (empty when clean). */
export async function leftovers(stateDir: string, id: string, dir?: string): Promise<string[]> {
  const found: string[] = [];
  const res = await runCli("runc", ["--root", runtimeRoot("runc", stateDir), "list", "--format", "json"]);
  const listed = res.stdout.trim();
  if (listed !== "" && listed !== "null" && listed !== "[]") found.push(`runc list: ${listed}`);
  for (const d of cgroupDirs(isolabCgroupPath(id))) if (fs.existsSync(d)) found.push(d);
  if (dir) for (const f of ["bundle", "container.pid"]) if (fs.existsSync(path.join(dir, f))) found.push(path.join(dir, f));
  return found;
}
