import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { IMAGE_NAME_PATTERN, parseImageJson, type ImageJson } from "@/lib/schemas/image";
import { config } from "@/server/config";
import { InvalidRequestError, MissingDependencyError, NotFoundError } from "@/server/errors";
import type { ImageRef } from "@/server/engine/contract";

// Built images and the guest kernel, as scripts/build-image.sh and
// scripts/setup-kernel.sh leave them under the data directory. Reads only:
// building is the set-up's job, so a missing part names `npm run setup`.

/** Images `npm run setup` builds; missing ones are a set-up problem, not a 404. */
export const SETUP_IMAGES: readonly string[] = ["probe"];

export interface StoredImage extends ImageRef {
  meta: ImageJson;
}

export type ImageListing = { name: string; ready: true; image: StoredImage } | { name: string; ready: false; problem: string };

export interface GuestKernel {
  /** What QEMU boots: the PVH vmlinux, or $ISOLAB_KERNEL. */
  path: string;
  /** e.g. "6.1.0-56-cloud-amd64", or "unknown" for a kernel without a release file. */
  release: string;
  /** The same kernel as shipped, for the untuned boot benchmark. */
  bzImagePath?: string;
}

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );

export function createImageStore(opts: { imagesDir: string; kernelPath: string }) {
  // A build directory never changes once its symlink points at it (a rebuild
  // makes a new one and swaps the link), so a checked build is remembered by
  // its real path: a start then costs an access and a realpath, not five file
  // operations and a zod parse on its path to the runtime.
  const checked = new Map<string, StoredImage>();

  async function getImage(name: string): Promise<StoredImage> {
    if (!IMAGE_NAME_PATTERN.test(name)) throw new InvalidRequestError(`"${name}" is not a valid image name.`);
    const dir = path.join(opts.imagesDir, name);
    if (!(await exists(dir))) {
      if (SETUP_IMAGES.includes(name)) throw new MissingDependencyError("image", `The image "${name}" is not built.`);
      throw new NotFoundError(`There is no image "${name}".`);
    }
    // Pin one build: `probe` is a symlink to a versioned directory that a
    // rebuild swaps, and an instance must keep the files it started with.
    const real = await fs.realpath(dir);
    const known = checked.get(real);
    if (known) return known;
    const incomplete = (why: string) => new MissingDependencyError("image", `The image "${name}" is incomplete: ${why}.`);
    const text = await fs.readFile(path.join(real, "image.json"), "utf8").catch(() => null);
    if (text === null) throw incomplete("image.json is missing");
    const parsed = parseImageJson(text);
    if (!parsed.ok) throw incomplete(`image.json is invalid (${parsed.problem})`);
    if (parsed.image.name !== name) throw incomplete(`image.json names "${parsed.image.name}"`);

    const rootfsDir = path.join(real, "rootfs");
    const probePath = path.join(rootfsDir, "bin", "probe");
    const initramfsPath = path.join(real, "initramfs.cpio");
    if (
      !(await fs.access(probePath, fs.constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      throw incomplete("rootfs/bin/probe is missing or not executable");
    const cpio = await fs.stat(initramfsPath).catch(() => null);
    if (!cpio) throw incomplete("initramfs.cpio is missing");
    if (cpio.size !== parsed.image.sizeBytes) throw incomplete(`initramfs.cpio has ${cpio.size} bytes, image.json says ${parsed.image.sizeBytes}`);
    const image = { name, rootfsDir, initramfsPath, probePath, meta: parsed.image };
    checked.set(real, image);
    return image;
  }

  /** Every image directory, ready or not, plus set-up images not built yet. */
  async function listImages(): Promise<ImageListing[]> {
    const entries = await fs.readdir(opts.imagesDir).catch(() => [] as string[]);
    // Hidden entries are build versions and temp dirs (scripts/build-image.sh).
    const names = new Set([...SETUP_IMAGES, ...entries.filter((e) => IMAGE_NAME_PATTERN.test(e))]);
    const listings: ImageListing[] = [];
    for (const name of [...names].sort()) {
      try {
        listings.push({ name, ready: true, image: await getImage(name) });
      } catch (e) {
        if (e instanceof NotFoundError) continue; // a stray file, not an image
        listings.push({ name, ready: false, problem: (e as Error).message });
      }
    }
    return listings;
  }

  async function getKernel(): Promise<GuestKernel> {
    const kernel = opts.kernelPath;
    if (!(await exists(kernel))) throw new MissingDependencyError("kernel", `The guest kernel ${kernel} is missing.`);
    const dir = path.dirname(kernel);
    const release = (await fs.readFile(path.join(dir, "release"), "utf8").catch(() => "")).trim();
    const bzImage = path.join(dir, "bzImage");
    return {
      path: kernel,
      release: release || "unknown",
      ...(bzImage !== kernel && (await exists(bzImage)) ? { bzImagePath: bzImage } : {}),
    };
  }

  return { getImage, listImages, getKernel };
}

const store = createImageStore({ imagesDir: config.imagesDir, kernelPath: config.kernelPath });
export const { getImage, listImages, getKernel } = store;
