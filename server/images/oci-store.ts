import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { BUILT_IN_IMAGE, canonicalRef, DEFAULT_TAG, isBuiltInRef, localRefFromArchive, nameFromFileName, parseImageRef } from "@/lib/images/ref";
import { IMAGE_LIMITS, type ImageLimits, type ImageOrigin, type ImageSummary } from "@/lib/schemas/image";
import { ANNOTATIONS, OciImageConfigSchema, OciManifestSchema, type OciDescriptor, type OciImageConfig, type OciManifest } from "@/lib/schemas/oci-image";
import type { Instance, InstanceKind } from "@/lib/core/types";
import { liveUsers } from "@/lib/images/lineage";
import { effectiveEnv, VM_INIT_PATH, VM_INIT_VERSION } from "@/lib/vm/init";
import { InvalidRequestError } from "@/server/errors";
import type { ImageRef } from "@/server/engine/contract";
import { ArchiveTooLargeError, ImageInUseError, ImageNotFoundError, MalformedArchiveError, ReservedImageError } from "./errors";
import { packInitramfs } from "./initramfs";
import { blobPath, collectGarbage, findRef, initLayout, readIndex, readJsonBlob, refOf, writeIndex } from "./layout";
import { withReadLock, withWriteLock } from "./lock";
import { runToolOrThrow, skopeoConvert, skopeoCopy, toolMessage, transports, type ToolOptions } from "./tools";
import { checkArchive, checkLayout, type ArchiveFormat } from "./validate";

// The image store: one OCI image layout holding every image (the built-in
// `probe` too), each under the reference `name:tag` with Isolab's
// annotations (origin, has-probe) on its index descriptor. Beside it, caches
// keyed by manifest digest: the unpacked root filesystem containers share
// read-only, and the initramfs VMs boot. Untrusted input (an archive, a pull)
// is staged in tmp/, checked in full, and only then moved in: blobs by
// rename, the reference by one atomic index.json write.
//
//   <root>/oci/                       the OCI image layout (umoci ls --layout, skopeo oci:<root>/oci:REF)
//   <root>/rootfs/<manifest hex>/     unpacked root filesystem (umoci raw unpack)
//   <root>/initramfs/<hex>-<key>.cpio rootfs + Isolab's init, busybox and probe
//   <root>/tmp/                       staging, on the same file system for rename

/** What the store needs of the probe build (server/images/store.ts). */
export interface BuiltProbe {
  rootfsDir: string;
  probePath: string;
  busyboxPath: string;
  inputsHash: string;
  builtAt: string;
}

export interface OciStoreOptions {
  root: string;
  limits?: Partial<ImageLimits>;
  /** The probe image as scripts/build-image.sh left it, or null when not built. */
  builtProbe(): Promise<BuiltProbe | null>;
  /** The instances alive now: remove() refuses an image one of them runs from. */
  liveInstances?: () => Instance[];
  now?: () => Date;
}

export interface Staging {
  dir: string;
  layout: string;
  remove(): void;
}

export interface CommitOrigin {
  kind: ImageOrigin["kind"];
  detail: string;
  registry?: string;
  extra?: Record<string, string>;
}

export type OciStore = ReturnType<typeof createOciStore>;

const PROBE_REF = `${BUILT_IN_IMAGE}:${DEFAULT_TAG}`;
const STAGE_REF = "staged";

export function createOciStore(opts: OciStoreOptions) {
  const root = path.resolve(opts.root);
  const layout = path.join(root, "oci");
  const limits: ImageLimits = { ...IMAGE_LIMITS, ...opts.limits };
  const now = opts.now ?? (() => new Date());
  const summaries = new Map<string, { manifest: OciManifest; config: OciImageConfig }>();
  const pending = new Map<string, Promise<unknown>>();

  /** One run per key at a time; concurrent callers share it. */
  function once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = pending.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = fn().finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  }

  let swept = false;
  async function ready(): Promise<void> {
    for (const d of ["tmp", "rootfs", "initramfs"]) fs.mkdirSync(path.join(root, d), { recursive: true });
    if (!swept) {
      swept = true;
      sweepStaging(path.join(root, "tmp"));
    }
    await initLayout(layout);
  }

  function stage(): Staging {
    fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, "tmp", "stage-"));
    return { dir, layout: path.join(dir, "oci"), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }

  async function manifestAndConfig(layoutDir: string, d: OciDescriptor) {
    const cached = summaries.get(d.digest);
    if (cached) return cached;
    const { value: manifest } = await readJsonBlob(layoutDir, d.digest, OciManifestSchema, "manifest");
    const { value: config } = await readJsonBlob(layoutDir, manifest.config.digest, OciImageConfigSchema, "image config");
    const entry = { manifest, config };
    summaries.set(d.digest, entry);
    return entry;
  }

  function originOf(d: OciDescriptor): ImageOrigin {
    const a = d.annotations ?? {};
    const kind = a[ANNOTATIONS.origin];
    return {
      kind: kind === "built" || kind === "pulled" || kind === "imported" ? kind : "imported",
      detail: a[ANNOTATIONS.originDetail] ?? "added to the layout by another tool",
      registry: a[ANNOTATIONS.originRegistry] ?? null,
      at: a[ANNOTATIONS.addedAt] ?? "",
    };
  }

  async function summaryOf(d: OciDescriptor): Promise<ImageSummary> {
    const ref = refOf(d) ?? "";
    const parts = parseImageRef(ref) ?? { name: ref, tag: "" };
    const { manifest, config } = await manifestAndConfig(layout, d);
    const c = config.config ?? {};
    return {
      ref,
      name: parts.name,
      tag: parts.tag,
      digest: d.digest,
      sizeBytes: d.size + manifest.config.size + manifest.layers.reduce((s, l) => s + l.size, 0),
      layers: manifest.layers.map((l) => ({ digest: l.digest, sizeBytes: l.size, mediaType: l.mediaType })),
      entrypoint: c.Entrypoint ?? [],
      cmd: c.Cmd ?? [],
      env: c.Env ?? [],
      workingDir: c.WorkingDir ?? "",
      user: c.User ?? "",
      createdAt: config.created ?? null,
      architecture: config.architecture ?? null,
      origin: originOf(d),
      hasProbe: d.annotations?.[ANNOTATIONS.hasProbe] === "true",
      builtIn: ref === PROBE_REF,
    };
  }

  /** The descriptor of a reference, or ImageNotFoundError. */
  async function descriptorOf(ref: string): Promise<{ ref: string; descriptor: OciDescriptor }> {
    const canonical = canonicalRef(ref);
    if (!canonical) throw new InvalidRequestError(`"${ref}" is not an image reference (name[:tag]).`);
    if (canonical === PROBE_REF) await ensureProbe();
    await ready();
    const descriptor = findRef(await readIndex(layout), canonical);
    if (!descriptor) throw new ImageNotFoundError(`There is no image "${canonical}" in the store.`, { ref: canonical });
    return { ref: canonical, descriptor };
  }

  async function list(): Promise<ImageSummary[]> {
    await ensureProbe().catch((err) => console.error(`[isolab] the probe image could not be added to the store: ${(err as Error).message}`));
    await ready();
    const index = await readIndex(layout);
    const out: ImageSummary[] = [];
    for (const d of index.manifests) {
      if (!refOf(d)) continue;
      out.push(await summaryOf(d));
    }
    return out.sort((a, b) => (a.builtIn === b.builtIn ? a.ref.localeCompare(b.ref) : a.builtIn ? -1 : 1));
  }

  async function get(ref: string): Promise<ImageSummary> {
    return summaryOf((await descriptorOf(ref)).descriptor);
  }

  /**
   * Moves a staged, checked image in under `targetRef`: blobs by rename, then
   * one index.json write. A failure before that write removes the blobs it
   * had moved, so the store is as it was.
   */
  async function commit(staged: Staging, targetRef: string, origin: CommitOrigin, hasProbe: boolean): Promise<ImageSummary> {
    await ready();
    return withWriteLock(root, async () => {
      const stagedIndex = await readIndex(staged.layout);
      const d = findRef(stagedIndex, STAGE_REF);
      if (!d) throw new MalformedArchiveError("The staged image has no reference.");
      const { value: manifest } = await readJsonBlob(staged.layout, d.digest, OciManifestSchema, "manifest");
      const added: string[] = [];
      try {
        for (const digest of new Set([d.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)])) {
          const to = blobPath(layout, digest);
          if (fs.existsSync(to)) continue;
          fs.renameSync(blobPath(staged.layout, digest), to);
          added.push(to);
        }
        const index = await readIndex(layout);
        const descriptor: OciDescriptor = {
          mediaType: d.mediaType,
          digest: d.digest,
          size: d.size,
          annotations: {
            [ANNOTATIONS.refName]: targetRef,
            [ANNOTATIONS.origin]: origin.kind,
            [ANNOTATIONS.originDetail]: origin.detail,
            ...(origin.registry ? { [ANNOTATIONS.originRegistry]: origin.registry } : {}),
            [ANNOTATIONS.addedAt]: now().toISOString(),
            [ANNOTATIONS.hasProbe]: String(hasProbe),
            ...origin.extra,
          },
        };
        await writeIndex(layout, { ...index, manifests: [...index.manifests.filter((m) => refOf(m) !== targetRef), descriptor] });
      } catch (err) {
        for (const f of added) fs.rmSync(f, { force: true });
        throw err;
      }
      await collectGarbage(layout);
      return summaryOf(findRef(await readIndex(layout), targetRef)!);
    });
  }

  /** Import a checked layout's image: pass 2 of the checks, then commit. */
  async function admit(staged: Staging, targetRef: string, origin: CommitOrigin): Promise<ImageSummary> {
    const facts = await checkLayout(staged.layout, STAGE_REF, limits);
    return commit(staged, targetRef, origin, facts.hasProbe);
  }

  function assertReplaceable(ref: string) {
    if (isBuiltInRef(ref)) {
      throw new ReservedImageError(`"${PROBE_REF}" is the image \`npm run setup\` builds; give the image another name or tag.`, { ref });
    }
  }

  /** An OCI archive or a `docker save` tarball: checked, converted by skopeo in staging, checked again, moved in. */
  async function importArchive(
    file: string,
    o: { name?: string; filename?: string; detail?: string; signal?: AbortSignal } = {},
  ): Promise<{ image: ImageSummary; format: ArchiveFormat; tookMs: number }> {
    const t0 = performance.now();
    const st = fs.statSync(file);
    if (st.size > limits.archiveBytes) {
      throw new ArchiveTooLargeError(`The archive is ${st.size} bytes, over the ${limits.archiveBytes}-byte limit.`, { sizeBytes: st.size, limit: limits.archiveBytes });
    }
    const facts = await checkArchive(file, limits);
    const targetRef =
      (o.name ? canonicalRef(o.name) : null) ??
      localRefFromArchive(facts.refs[0]) ??
      `${nameFromFileName(o.filename ?? path.basename(file))}:${DEFAULT_TAG}`;
    assertReplaceable(targetRef);
    const staged = stage();
    try {
      const toolOpts: ToolOptions = { signal: o.signal, env: { TMPDIR: staged.dir } };
      const dest = transports.ociLayout(staged.layout, STAGE_REF);
      // skopeo reads a docker archive only as a plain tar; pass 1 already read this one through gunzip.
      const plain = facts.gzip ? await gunzipTo(file, path.join(staged.dir, "archive.tar"), o.signal) : file;
      const r =
        facts.format === "oci-archive"
          ? await skopeoCopy(transports.ociArchive(plain), dest, toolOpts)
          : await skopeoConvert(transports.dockerArchive(plain), dest, toolOpts);
      if (r.code !== 0) throw new MalformedArchiveError(`skopeo could not read the ${facts.format}: ${toolMessage(r.stderr)}`);
      const detail = `${o.detail ?? o.filename ?? path.basename(file)} (${facts.format})`;
      const image = await admit(staged, targetRef, { kind: "imported", detail });
      return { image, format: facts.format, tookMs: performance.now() - t0 };
    } finally {
      staged.remove();
    }
  }

  /**
   * The built-in probe image, as an OCI image: umoci packs the rootfs
   * build-image.sh made (without /dev/console: a runtime provides that, and
   * device nodes are refused in every image), with /bin/probe serve as its
   * entrypoint. Once per probe build (its inputs hash is kept as an annotation).
   */
  async function ensureProbe(): Promise<void> {
    const built = await opts.builtProbe();
    if (!built) return;
    await ready();
    const current = findRef(await readIndex(layout), PROBE_REF);
    if (current?.annotations?.[ANNOTATIONS.probeInputs] === built.inputsHash) return;
    await once("probe", async () => {
      const staged = stage();
      try {
        const ref = transports.ociLayout(staged.layout, STAGE_REF).slice("oci:".length);
        const rootfs = path.join(staged.dir, "rootfs");
        await runToolOrThrow("cp", ["-a", built.rootfsDir, rootfs], "copying the probe rootfs");
        fs.rmSync(path.join(rootfs, "dev", "console"), { force: true });
        await runToolOrThrow("umoci", ["init", "--layout", staged.layout], "umoci init");
        await runToolOrThrow("umoci", ["new", "--image", ref], "umoci new");
        await runToolOrThrow("umoci", ["insert", "--image", ref, "--history.created_by", "scripts/build-image.sh", rootfs, "/"], "umoci insert");
        await runToolOrThrow("umoci", [
          "config", "--image", ref,
          "--config.entrypoint", "/bin/probe", "--config.cmd", "serve",
          "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "--config.workingdir", "/",
          "--author", "Isolab (scripts/build-image.sh)",
          "--created", built.builtAt,
          "--history.created_by", "isolab: entrypoint /bin/probe serve",
        ], "umoci config");
        await runToolOrThrow("umoci", ["gc", "--layout", staged.layout], "umoci gc");
        await admit(staged, PROBE_REF, {
          kind: "built",
          detail: "scripts/build-image.sh (npm run setup)",
          extra: { [ANNOTATIONS.probeInputs]: built.inputsHash },
        });
      } finally {
        staged.remove();
      }
    });
  }

  async function remove(ref: string, inUse = (r: string) => liveUsers(r, opts.liveInstances?.() ?? [])): Promise<void> {
    const canonical = canonicalRef(ref);
    if (!canonical) throw new InvalidRequestError(`"${ref}" is not an image reference (name[:tag]).`);
    assertReplaceable(canonical);
    const users = inUse(canonical);
    if (users.length) throw new ImageInUseError(`"${canonical}" is in use by ${users.join(", ")}; stop them first.`, { instances: users });
    await ready();
    await withWriteLock(root, async () => {
      const index = await readIndex(layout);
      if (!findRef(index, canonical)) throw new ImageNotFoundError(`There is no image "${canonical}" in the store.`, { ref: canonical });
      await writeIndex(layout, { ...index, manifests: index.manifests.filter((m) => refOf(m) !== canonical) });
      await collectGarbage(layout);
      await pruneCaches();
    });
  }

  /** Caches of digests no reference names any more, unless a container's root is still there. */
  async function pruneCaches(): Promise<void> {
    const live = new Set((await readIndex(layout)).manifests.map((m) => m.digest.slice("sha256:".length)));
    const mounted = mountedRoots();
    for (const hex of fs.readdirSync(path.join(root, "rootfs"), { withFileTypes: true }).map((d) => d.name)) {
      if (live.has(hex) || mounted.some((m) => m.includes(`/rootfs/${hex}`))) continue;
      fs.rmSync(path.join(root, "rootfs", hex), { recursive: true, force: true });
    }
    for (const f of fs.readdirSync(path.join(root, "initramfs"))) {
      if (!live.has(f.split("-")[0])) fs.rmSync(path.join(root, "initramfs", f), { force: true });
    }
  }

  /** Reads a reference while no writer can remove its blobs (a push, an unpack). */
  async function withImage<T>(ref: string, fn: (source: string, image: ImageSummary) => Promise<T>): Promise<T> {
    const { ref: canonical } = await descriptorOf(ref);
    return withReadLock(root, async () => {
      const d = findRef(await readIndex(layout), canonical);
      if (!d) throw new ImageNotFoundError(`There is no image "${canonical}" in the store.`, { ref: canonical });
      return fn(transports.ociLayout(layout, canonical), await summaryOf(d));
    });
  }

  /** The unpacked root filesystem of a reference (unpacked once per digest, then shared). */
  async function rootfsFor(ref: string): Promise<{ image: ImageSummary; rootfsDir: string }> {
    return withImage(ref, async (_source, image) => {
      const hex = image.digest.slice("sha256:".length);
      const dir = path.join(root, "rootfs", hex);
      if (fs.existsSync(dir)) return { image, rootfsDir: dir };
      await once(`rootfs:${hex}`, async () => {
        const staged = stage();
        try {
          const tmp = path.join(staged.dir, "rootfs");
          await runToolOrThrow("umoci", ["raw", "unpack", "--image", `${layout}:${image.ref}`, tmp], `unpacking ${image.ref}`);
          addMountPoints(tmp);
          fs.mkdirSync(path.dirname(dir), { recursive: true });
          try {
            fs.renameSync(tmp, dir);
          } catch (err) {
            if (!fs.existsSync(dir)) throw err; // else another process unpacked it first
          }
        } finally {
          staged.remove();
        }
      });
      return { image, rootfsDir: dir };
    });
  }

  /** The initramfs a VM of this image boots, built once per (digest, probe build, init version). */
  async function initramfsFor(ref: string, rootfs?: { image: ImageSummary; rootfsDir: string }): Promise<string> {
    const { image, rootfsDir } = rootfs ?? (await rootfsFor(ref));
    const built = await opts.builtProbe();
    if (!built) throw new InvalidRequestError("The probe image is not built, and a VM needs its busybox and probe: run `npm run setup`.");
    const file = initramfsPath(image.digest, built.inputsHash);
    if (fs.existsSync(file)) return file;
    await once(`initramfs:${file}`, async () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await packInitramfs(
        {
          rootfsDir,
          spec: { argv: [...image.entrypoint, ...image.cmd], env: image.env, cwd: image.workingDir },
          busyboxPath: built.busyboxPath,
          probePath: built.probePath,
        },
        file,
      );
    });
    return file;
  }

  function initramfsPath(digest: string, probeInputs: string): string {
    const key = createHash("sha256").update(`${probeInputs} ${VM_INIT_VERSION}`).digest("hex").slice(0, 12);
    return path.join(root, "initramfs", `${digest.slice("sha256:".length)}-${key}.cpio`);
  }

  /**
   * What an engine needs to run an image of the store. Containers get the
   * rootfs (the initramfs path is where it goes once a VM needs it); VMs get
   * both. A bare process runs only the built-in probe.
   */
  async function runtimeImage(ref: string, kind: InstanceKind): Promise<ImageRef> {
    if (kind === "process") {
      throw new InvalidRequestError(
        `A bare process runs only the built-in "${BUILT_IN_IMAGE}" image on the host; "${ref}" has a root filesystem of its own: run it as a container or a VM.`,
        { field: "image" },
      );
    }
    const built = await opts.builtProbe();
    if (!built) throw new InvalidRequestError("The probe image is not built: run `npm run setup`.");
    const rootfs = await rootfsFor(ref);
    const initramfs = kind === "vm" ? await initramfsFor(ref, rootfs) : initramfsPath(rootfs.image.digest, built.inputsHash);
    const { image } = rootfs;
    return {
      name: image.ref,
      rootfsDir: rootfs.rootfsDir,
      initramfsPath: initramfs,
      probePath: built.probePath,
      entrypoint: [...image.entrypoint, ...image.cmd],
      env: effectiveEnv(image.env),
      cwd: image.workingDir || "/",
      hasProbe: image.hasProbe,
      vmInit: VM_INIT_PATH,
    };
  }

  return {
    root,
    layout,
    limits,
    stage,
    list,
    get,
    admit,
    importArchive,
    ensureProbe,
    remove,
    withImage,
    rootfsFor,
    initramfsFor,
    runtimeImage,
    assertReplaceable,
    stagedRef: STAGE_REF,
  };
}

async function gunzipTo(file: string, out: string, signal?: AbortSignal): Promise<string> {
  await pipeline(fs.createReadStream(file), createGunzip(), fs.createWriteStream(out), { signal });
  return out;
}

/** A killed server or CLI leaves its staging behind; nothing stages for this long, and no other process still uses it. */
const STALE_STAGING_MS = 6 * 3600_000;

function sweepStaging(tmp: string) {
  for (const e of fs.readdirSync(tmp)) {
    const p = path.join(tmp, e);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > STALE_STAGING_MS) fs.rmSync(p, { recursive: true, force: true });
  }
}

/**
 * The root is shared and read-only in every container, so the runtime cannot
 * create mount points in it: make the usual ones (only where nothing exists).
 */
function addMountPoints(rootfs: string) {
  fs.chmodSync(rootfs, 0o755);
  for (const d of ["proc", "sys", "dev", "tmp"]) {
    const p = path.join(rootfs, d);
    if (fs.lstatSync(p, { throwIfNoEntry: false })) continue;
    fs.mkdirSync(p, { mode: d === "tmp" ? 0o1777 : 0o755 });
  }
}

/** Source paths of every mount that is some process's root (a container's rootfs bind mount). */
function mountedRoots(): string[] {
  const roots = new Set<string>();
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/mountinfo`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      const f = line.split(" ");
      if (f[4] === "/") roots.add(f[3]);
    }
  }
  return [...roots];
}

