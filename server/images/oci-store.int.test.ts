import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { craftTar, type CraftEntry } from "@/lib/images/tar-craft";
import { MEDIA_TYPES } from "@/lib/schemas/oci-image";
import { builtProbe } from "./index";
import { createOciStore, type OciStore } from "./oci-store";
import { buildBusyboxLayout, craftOciArchive, exportArchive } from "./test-support";

// The store against real umoci and skopeo: imports of both archive formats,
// the built-in probe, and hostile archives refused with nothing left behind.

let dir: string;
let store: OciStore;
let ociArchive: string;
let dockerArchive: string;
const LIMITS = { layerBytes: 8 * 1024 * 1024 };

/** Everything in the store that a refused import must not change. */
function snapshot() {
  const blobs = fs.readdirSync(path.join(store.layout, "blobs", "sha256")).sort();
  return {
    index: fs.readFileSync(path.join(store.layout, "index.json"), "utf8"),
    blobs,
    tmp: fs.readdirSync(path.join(store.root, "tmp")),
    rootfs: fs.readdirSync(path.join(store.root, "rootfs")),
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-store-"));
  store = createOciStore({ root: path.join(dir, "store"), builtProbe, limits: LIMITS });
  const layout = await buildBusyboxLayout(path.join(dir, "src"), "hello:1");
  ociArchive = await exportArchive(layout, "hello:1", path.join(dir, "hello.oci.tar"), "oci-archive");
  dockerArchive = await exportArchive(layout, "hello:1", path.join(dir, "hello.docker.tar"), "docker-archive");
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the built-in probe image", () => {
  it("is in the store after the first listing, once per build", async () => {
    const first = await store.list();
    const probe = first.find((i) => i.builtIn);
    expect(probe).toMatchObject({ ref: "probe:latest", hasProbe: true, entrypoint: ["/bin/probe"], cmd: ["serve"], origin: { kind: "built" } });
    expect(probe!.layers).toHaveLength(1);
    // Once per build: a second listing reads the store and writes nothing.
    const index = path.join(store.root, "oci", "index.json");
    const indexWritten = fs.statSync(index).mtimeMs;
    const again = await store.list();
    expect(fs.statSync(index).mtimeMs).toBe(indexWritten);
    expect(again.find((i) => i.builtIn)!.digest).toBe(probe!.digest);
  });

  it("cannot be replaced or deleted", async () => {
    await expect(store.importArchive(ociArchive, { name: "probe" })).rejects.toMatchObject({ name: "ReservedImageError", status: 409 });
    await expect(store.remove("probe:latest")).rejects.toMatchObject({ name: "ReservedImageError" });
  });
});

describe("import", () => {
  it("keeps an OCI archive's digest and reads entrypoint, env and working directory", async () => {
    const { image, format } = await store.importArchive(ociArchive, { filename: "hello.oci.tar" });
    expect(format).toBe("oci-archive");
    expect(image).toMatchObject({
      ref: "hello:1",
      entrypoint: ["/bin/sh"],
      workingDir: "/bin",
      hasProbe: false,
      origin: { kind: "imported", detail: "hello.oci.tar (oci-archive)" },
    });
    expect(image.env).toContain("GREETING=hi there");
    const index = JSON.parse(fs.readFileSync(path.join(dir, "src", "oci", "index.json"), "utf8"));
    expect(image.digest).toBe(
      index.manifests.find((m: { annotations: Record<string, string> }) => m.annotations["org.opencontainers.image.ref.name"] === "hello:1").digest,
    );
  });

  it("converts a docker save archive, under the name given", async () => {
    const { image, format } = await store.importArchive(dockerArchive, { name: "hello:docker" });
    expect(format).toBe("docker-archive");
    expect(image.ref).toBe("hello:docker");
    expect(image.layers[0].mediaType).toBe(MEDIA_TYPES.ociLayerGzip);
    expect((await store.list()).map((i) => i.ref)).toEqual(["probe:latest", "hello:1", "hello:docker"]);
  });

  it("reads a gzip-compressed docker save (docker save | gzip)", async () => {
    const gz = path.join(dir, "hello.docker.tar.gz");
    fs.writeFileSync(gz, gzipSync(fs.readFileSync(dockerArchive)));
    const { image, format } = await store.importArchive(gz, { name: "hello:gz" });
    expect(format).toBe("docker-archive");
    await store.remove(image.ref);
  });

  it("refuses an archive over the size limit before reading it", async () => {
    const small = createOciStore({ root: store.root, builtProbe, limits: { archiveBytes: 1024 } });
    await expect(small.importArchive(ociArchive)).rejects.toMatchObject({ name: "ArchiveTooLargeError", status: 413 });
  });

  it("unpacks a rootfs once per digest, with the mount points a read-only root needs", async () => {
    const a = await store.rootfsFor("hello:1");
    const b = await store.rootfsFor("hello:1");
    expect(a.rootfsDir).toBe(b.rootfsDir);
    for (const d of ["bin/busybox", "proc", "dev", "sys", "tmp"]) expect(fs.existsSync(path.join(a.rootfsDir, d))).toBe(true);
    expect(fs.readlinkSync(path.join(a.rootfsDir, "bin", "sh"))).toBe("busybox");
  });

  it("keeps the store root's alone and strips setuid, setgid and file capabilities from an unpacked root", async () => {
    // cap_net_raw+ep as the kernel stores it (vfs_cap_data, revision 2), set by a pax xattr record as umoci applies it.
    const cap = Buffer.alloc(20);
    cap.writeUInt32LE(0x02000001, 0);
    cap.writeUInt32LE(1 << 13, 4);
    const layer = craftTar([
      { name: "bin/", typeflag: "5" },
      { name: "bin/su", mode: 0o4755, body: "su" },
      { name: "bin/wall", mode: 0o2755, body: "wall" },
      { name: "bin/ping", mode: 0o755, body: "ping", pax: [["SCHILY.xattr.security.capability", cap.toString("latin1")]] },
      { name: "shared/", typeflag: "5", mode: 0o2775 },
    ]);
    const { image } = await store.importArchive(craftOciArchive(path.join(dir, "privileged.tar"), { layer: [], rawLayer: layer, refName: "priv:1" }));
    const { rootfsDir } = await store.rootfsFor(image.ref);
    const mode = (p: string) => (fs.statSync(path.join(rootfsDir, p)).mode & 0o7777).toString(8);
    expect([mode("bin/su"), mode("bin/wall"), mode("bin/ping"), mode("shared")]).toEqual(["755", "755", "755", "2775"]);
    expect(execFileSync("getcap", [path.join(rootfsDir, "bin", "ping")], { encoding: "utf8" }).trim()).toBe("");
    expect(fs.readFileSync(path.join(rootfsDir, "bin", "su"), "utf8")).toBe("su");
    // Nobody but root (and QEMU's group, passing through to the initramfs cache) reaches the store.
    for (const d of [store.root, path.join(store.root, "rootfs"), store.layout, path.join(store.root, "tmp"), path.join(store.root, "initramfs")]) {
      expect({ d, other: fs.statSync(d).mode & 0o007 }).toEqual({ d, other: 0 });
    }
    for (const d of [path.join(store.root, "rootfs"), store.layout, path.join(store.root, "tmp")]) {
      expect({ d, mode: (fs.statSync(d).mode & 0o777).toString(8) }).toEqual({ d, mode: "700" });
    }
    await store.remove(image.ref);
  });

  it("deletes an image and the blobs and caches no other image shares", async () => {
    const before = snapshot();
    await store.remove("hello:docker");
    const after = snapshot();
    expect(after.blobs.length).toBeLessThan(before.blobs.length);
    await expect(store.get("hello:docker")).rejects.toMatchObject({ name: "ImageNotFoundError", status: 404 });
  });

  it("refuses to delete an image a live instance runs from, and keeps it", async () => {
    const running = { id: "i1", name: "c1", kind: "container", image: "hello:1", state: "running", memoryMiB: 64, cpus: 1, createdAt: "" } as const;
    const guarded = createOciStore({ root: store.root, builtProbe, limits: LIMITS, liveInstances: () => [running] });
    const before = snapshot();
    await expect(guarded.remove("hello:1")).rejects.toMatchObject({ name: "ImageInUseError", status: 409, details: { instances: ["container c1"] } });
    expect(snapshot()).toEqual(before);
    expect((await store.get("hello:1")).ref).toBe("hello:1");
  });
});

describe("hostile archives are refused with a named error and leave nothing behind", () => {
  const file = (name: string) => path.join(dir, name);
  const bin = { path: "bin/", type: "directory" as const };
  it.each<[string, () => string, string, RegExp]>([
    [
      "a layer entry ../x",
      () => craftOciArchive(file("dotdot.tar"), { layer: [bin, { path: "../x", body: "x" }] }),
      "UnsafeArchiveEntryError",
      /parent-traversal/,
    ],
    [
      "a layer entry /etc/passwd",
      () => craftOciArchive(file("abs.tar"), { layer: [{ path: "/etc/passwd", body: "root::0:0::/:/bin/sh\n" }] }),
      "UnsafeArchiveEntryError",
      /absolute-path/,
    ],
    [
      "a symlink to /",
      () => craftOciArchive(file("root-link.tar"), { layer: [{ path: "hostroot", type: "symlink", linkpath: "/" }] }),
      "UnsafeArchiveEntryError",
      /symlink-to-root/,
    ],
    [
      "a symlink a -> ../../x",
      () => craftOciArchive(file("escape-link.tar"), { layer: [{ path: "a", type: "symlink", linkpath: "../../x" }] }),
      "UnsafeArchiveEntryError",
      /symlink-escape/,
    ],
    [
      "a write through a symlink",
      () =>
        craftOciArchive(file("through.tar"), {
          layer: [
            { path: "etc", type: "symlink", linkpath: "/tmp" },
            { path: "etc/passwd", body: "x" },
          ],
        }),
      "UnsafeArchiveEntryError",
      /through-symlink/,
    ],
    [
      "a hardlink escape",
      () => craftOciArchive(file("hardlink.tar"), { layer: [{ path: "shadow", type: "hardlink", linkpath: "../../etc/shadow" }] }),
      "UnsafeArchiveEntryError",
      /hardlink-escape/,
    ],
    ["a device node", () => craftOciArchive(file("dev.tar"), { layer: [{ path: "dev/sda", type: "block" }] }), "UnsafeArchiveEntryError", /device-node/],
    [
      "an outer entry ../evil",
      () => craftOciArchive(file("outer.tar"), { layer: [bin], outer: [{ path: "../evil", body: "x" }] }),
      "UnsafeArchiveEntryError",
      /the archive.*parent-traversal/,
    ],
    [
      "an outer absolute symlink",
      () => craftOciArchive(file("outer-link.tar"), { layer: [bin], outer: [{ path: "x", type: "symlink", linkpath: "/etc/passwd" }] }),
      "UnsafeArchiveEntryError",
      /absolute-symlink/,
    ],
    ...(
      [
        [
          "a '\\0'-typeflag directory hiding a header",
          [{ name: "d/", typeflag: "\0", size: 512, body: craftTar([{ name: "etc/evil" }], { end: false }) }],
          /entry "d\/": an old-style/,
        ],
        ["a STAR header", [{ name: "bin/x", format: "star", prefix: "p" }], /entry "bin\/x": a STAR header/],
        ["a GNU.sparse pax key", [{ name: "bin/x", pax: [["GNU.sparse.name", "etc/shadow"]] }], /GNU sparse files/],
        ["a pax key outside the allow-list", [{ name: "bin/x", pax: [["hdrcharset", "BINARY"]] }], /pax key "hdrcharset" is not one/],
        ["a pax path and a GNU long name", [{ name: "x", pax: [["path", "a"]], gnuLongName: "b" }], /entry "x": both a pax path and a GNU long name/],
        [
          "a hard link to a symlink",
          [
            { name: "s", typeflag: "2", linkname: "/etc/shadow" },
            { name: "h", typeflag: "1", linkname: "s" },
          ],
          /h: a hardlink to the symlink s \(hardlink-to-symlink\)/,
        ],
      ] as [string, CraftEntry[], RegExp][]
    ).map(
      ([what, entries, message]) =>
        [what, () => craftOciArchive(file(`${what.replace(/\W+/g, "-")}.tar`), { layer: [], rawLayer: craftTar(entries) }), "", message] as [
          string,
          () => string,
          string,
          RegExp,
        ],
    ),
    ["a zstd layer", () => craftOciArchive(file("zstd.tar"), { layer: [bin], layerMediaType: MEDIA_TYPES.ociLayerZstd }), "UnsupportedMediaTypeError", /zstd/],
    [
      "an unknown layer media type",
      () => craftOciArchive(file("mt.tar"), { layer: [bin], layerMediaType: "application/x-evil" }),
      "UnsupportedMediaTypeError",
      /application\/x-evil/,
    ],
    [
      "a layer over the size limit",
      () => craftOciArchive(file("big.tar"), { layer: [{ path: "big", body: Buffer.alloc(9 * 1024 * 1024) }], gzip: false }),
      "LayerTooLargeError",
      /limit/,
    ],
    [
      "a layer that unpacks over the limit",
      () => craftOciArchive(file("bomb.tar"), { layer: [{ path: "big", body: Buffer.alloc(9 * 1024 * 1024) }] }),
      "LayerTooLargeError",
      /limit/,
    ],
    [
      "something that is not a tar",
      () => (fs.writeFileSync(file("junk.tar"), "not an archive at all".repeat(100)), file("junk.tar")),
      "MalformedArchiveError",
      /not a valid tar/,
    ],
  ])("%s", async (_what, make, name, message) => {
    const before = snapshot();
    const err = await store.importArchive(make()).catch((e: Error) => e);
    if (name) expect(err).toMatchObject({ name, details: { code: name } });
    else expect(err).toMatchObject({ status: 422 });
    expect((err as Error).message).toMatch(message);
    expect(snapshot()).toEqual(before);
  });

  it("an import cancelled midway leaves nothing either", async () => {
    const before = snapshot();
    const abort = new AbortController();
    abort.abort();
    await expect(store.importArchive(ociArchive, { name: "cancelled:1", signal: abort.signal })).rejects.toThrow();
    expect(snapshot()).toEqual(before);
  });
});
