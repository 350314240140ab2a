import "server-only";
import path from "node:path";
import type { Instance, InstanceKind } from "@/lib/core/types";
import { liveUsers } from "@/lib/images/lineage";
import { canonicalRef } from "@/lib/images/ref";
import { IMAGE_LIMITS, type ImageLimits, type ImageSummary } from "@/lib/schemas/image";
import type { OciDescriptor } from "@/lib/schemas/oci-image";
import { config } from "@/server/config";
import { InvalidRequestError } from "@/server/errors";
import { lookupUser, privateDir } from "@/server/host/qemu-user";
import type { ImageRef } from "@/server/engine/contract";
import { assertReplaceable, createCatalog, PROBE_REF, type CommitOrigin } from "./catalog";
import { ImageInUseError } from "./errors";
import { importArchive, type ImportOptions, type ImportOutcome } from "./import";
import { createInitramfsCache } from "./initramfs-cache";
import { initLayout } from "./layout";
import { checkLayout } from "./layout-check";
import { withReadLock, withWriteLock } from "./lock";
import { packedFrom, packProbe, probeOrigin, type BuiltProbe } from "./probe-pack";
import { createRootfsCache, type UnpackedImage } from "./rootfs-cache";
import { runtimeImage } from "./runtime-image";
import { singleFlight } from "./single-flight";
import { stageIn, STAGE_REF, sweepStaging, type Staging } from "./staging";
import { transports } from "./tools";

export type { BuiltProbe } from "./probe-pack";
export type { CommitOrigin } from "./catalog";
export type { Staging } from "./staging";

// The image store: one OCI image layout holding every image (the built-in
// `probe` too), each under the reference `name:tag` with Isolab's
// annotations (origin, has-probe) on its index descriptor. Beside it, caches
// keyed by manifest digest: the unpacked root filesystem containers share
// read-only, and the initramfs VMs boot. Untrusted input (an archive, a pull)
// is staged in tmp/, checked in full, and only then moved in: blobs by
// rename, the reference by one atomic index.json write. This file wires the
// parts together and keeps the rules that span them (locks, the reserved
// probe reference, no removal of an image in use).
//
//   <root>/oci/                       the OCI image layout (catalog.ts; umoci ls --layout, skopeo oci:<root>/oci:REF)
//   <root>/rootfs/<manifest hex>/     unpacked root filesystem (rootfs-cache.ts)
//   <root>/initramfs/<hex>-<key>.cpio rootfs + Isolab's init, busybox and probe (initramfs-cache.ts)
//   <root>/tmp/                       staging, on the same file system for rename (staging.ts)
//
// <root>, and initramfs/, are 0710 root:isolab-qemu (QEMU, running as that
// user, opens its initramfs there); everything else is 0700 root.

export interface OciStoreOptions {
  root: string;
  limits?: Partial<ImageLimits>;
  /** The probe image as scripts/build-image.sh left it, or null when not built. */
  builtProbe(): Promise<BuiltProbe | null>;
  /**
   * The instances that may run from the store's images; remove() refuses an
   * image a live one (creating, running, stopping) was started from. The
   * server and the CLI must pass it; the default, none, is only for tools and
   * tests that run no instances.
   */
  liveInstances?: () => Instance[];
  now?: () => Date;
}

export interface OciStore {
  readonly root: string;
  readonly layout: string;
  readonly limits: ImageLimits;
  /** The reference an image has in a staging layout (what a pull copies into). */
  readonly stagedRef: string;
  /** A private staging directory for untrusted input; the caller removes it. */
  stage(): Staging;
  list(): Promise<ImageSummary[]>;
  get(ref: string): Promise<ImageSummary>;
  /** Checks a staged layout's image in full (pass 2), then moves it in under `targetRef`. */
  admit(staged: Staging, targetRef: string, origin: CommitOrigin): Promise<ImageSummary>;
  importArchive(file: string, o?: ImportOptions): Promise<ImportOutcome>;
  /** Packs the built-in probe into the store once per probe build. */
  ensureProbe(): Promise<void>;
  /** Refused for the built-in image and while a live instance runs from it; removes the blobs and caches no other image shares. */
  remove(ref: string): Promise<void>;
  /** Reads a reference while no writer can remove its blobs (a push, an unpack). */
  withImage<T>(ref: string, fn: (source: string, image: ImageSummary) => Promise<T>): Promise<T>;
  /** The unpacked root filesystem of a reference (unpacked once per digest, then shared). */
  rootfsFor(ref: string): Promise<UnpackedImage>;
  /** The initramfs a VM of this image boots, built once per (digest, probe build, init version). */
  initramfsFor(ref: string, rootfs?: UnpackedImage): Promise<string>;
  /** An image as an engine runs it (runtime-image.ts). */
  runtimeImage(ref: string, kind: InstanceKind): Promise<ImageRef>;
  /** ReservedImageError for the built-in image's reference. */
  assertReplaceable(ref: string): void;
}

export function createOciStore(opts: OciStoreOptions): OciStore {
  const root = path.resolve(opts.root);
  const layout = path.join(root, "oci");
  const dirs = { tmp: path.join(root, "tmp"), rootfs: path.join(root, "rootfs"), initramfs: path.join(root, "initramfs") };
  const limits: ImageLimits = { ...IMAGE_LIMITS, ...opts.limits };
  const liveInstances = opts.liveInstances ?? (() => []);
  const once = singleFlight();
  const stage = () => stageIn(dirs.tmp);
  const catalog = createCatalog(layout, opts.now ?? (() => new Date()));
  const rootfsCache = createRootfsCache({ dir: dirs.rootfs, layout, stage, once });
  const initramfsCache = createInitramfsCache({ dir: dirs.initramfs, once });

  let swept = false;
  async function ready(): Promise<void> {
    // Root's alone: images carry what other host users must not reach. QEMU's
    // group may pass through to the initramfs cache (VMs boot from it), no further.
    const qemu = lookupUser(config.qemuUser);
    privateDir(root, qemu);
    privateDir(dirs.tmp);
    privateDir(dirs.rootfs);
    privateDir(dirs.initramfs, qemu);
    if (!swept) {
      swept = true;
      sweepStaging(dirs.tmp);
    }
    await initLayout(layout);
    privateDir(layout);
  }

  function canonical(ref: string): string {
    const c = canonicalRef(ref);
    if (!c) throw new InvalidRequestError(`"${ref}" is not an image reference (name[:tag]).`);
    return c;
  }

  /** The descriptor of a reference, or ImageNotFoundError. */
  async function resolve(ref: string): Promise<{ ref: string; descriptor: OciDescriptor }> {
    const c = canonical(ref);
    if (c === PROBE_REF) await ensureProbe();
    await ready();
    return { ref: c, descriptor: await catalog.descriptorOf(c) };
  }

  async function list(): Promise<ImageSummary[]> {
    await ensureProbe().catch((err) => console.error(`[isolab] the probe image could not be added to the store: ${(err as Error).message}`));
    await ready();
    return catalog.list();
  }

  async function get(ref: string): Promise<ImageSummary> {
    return catalog.summaryOf((await resolve(ref)).descriptor);
  }

  async function admit(staged: Staging, targetRef: string, origin: CommitOrigin): Promise<ImageSummary> {
    const facts = await checkLayout(staged.layout, STAGE_REF, limits);
    await ready();
    return withWriteLock(root, () => catalog.commit(staged, targetRef, origin, facts.hasProbe));
  }

  async function ensureProbe(): Promise<void> {
    const built = await opts.builtProbe();
    if (!built) return;
    await ready();
    if (packedFrom(await catalog.find(PROBE_REF), built)) return;
    await once("probe", async () => {
      const staged = stage();
      try {
        await packProbe(staged, built);
        await admit(staged, PROBE_REF, probeOrigin(built));
      } finally {
        staged.remove();
      }
    });
  }

  async function remove(ref: string): Promise<void> {
    const c = canonical(ref);
    assertReplaceable(c);
    const users = liveUsers(c, liveInstances());
    if (users.length) throw new ImageInUseError(`"${c}" is in use by ${users.join(", ")}; stop them first.`, { instances: users });
    await ready();
    await withWriteLock(root, async () => {
      await catalog.drop(c);
      // Caches of digests no reference names any more (a container's mounted root stays).
      const live = await catalog.liveManifests();
      rootfsCache.prune(live);
      initramfsCache.prune(live);
    });
  }

  async function withImage<T>(ref: string, fn: (source: string, image: ImageSummary) => Promise<T>): Promise<T> {
    const { ref: c } = await resolve(ref);
    return withReadLock(root, async () => fn(transports.ociLayout(layout, c), await catalog.summaryOf(await catalog.descriptorOf(c))));
  }

  async function rootfsFor(ref: string): Promise<UnpackedImage> {
    return withImage(ref, (_source, image) => rootfsCache.unpack(image));
  }

  async function initramfsFor(ref: string, rootfs?: UnpackedImage): Promise<string> {
    const unpacked = rootfs ?? (await rootfsFor(ref));
    const built = await opts.builtProbe();
    if (!built) throw new InvalidRequestError("The probe image is not built, and a VM needs its busybox and probe: run `npm run setup`.");
    return initramfsCache.build(unpacked, built);
  }

  return {
    root,
    layout,
    limits,
    stagedRef: STAGE_REF,
    stage,
    list,
    get,
    admit,
    importArchive: (file, o) => importArchive({ limits, stage, admit }, file, o),
    ensureProbe,
    remove,
    withImage,
    rootfsFor,
    initramfsFor,
    runtimeImage: (ref, kind) => runtimeImage({ builtProbe: opts.builtProbe, rootfsFor, initramfsFor, initramfsPath: initramfsCache.pathFor }, ref, kind),
    assertReplaceable,
  };
}
