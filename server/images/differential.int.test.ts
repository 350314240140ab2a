import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeEntryPath, RootfsChecker } from "@/lib/images/archive-policy";
import { TarReader, type TarEntry } from "@/lib/images/tar";
import { craftTar, type CraftEntry } from "@/lib/images/tar-craft";
import { MEDIA_TYPES } from "@/lib/schemas/oci-image";
import { runTool } from "./tools";

// The differential test of the archive checker: for a corpus of crafted
// layers (lib/images/tar-craft.ts), every layer the checker accepts is
// unpacked by umoci (Go's archive/tar, the reader Isolab's store really uses)
// from an OCI layout built around it, and the tree umoci wrote — names,
// types, link targets, modes, hard links — must be the tree the checker's
// reading predicts. A layer the checker refuses never reaches umoci in the
// store; for two of them the test shows what umoci would have written.

type Node = { type: "file" | "directory" | "symlink" | "fifo"; mode?: number; linkpath?: string; sameAs?: string };

let dir: string;
let n = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-diff-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The checker's reading: its entries, or the reason it refuses the layer. */
function check(layer: Uint8Array): { entries: TarEntry[] } | { refused: string } {
  const checker = new RootfsChecker();
  const entries: TarEntry[] = [];
  try {
    const r = new TarReader({
      entry(e) {
        const v = checker.check(e);
        if (v) throw new Error(`${v.kind}: ${v.path}`);
        entries.push(e);
      },
    });
    r.push(Buffer.from(layer));
    r.finish();
  } catch (err) {
    return { refused: (err as Error).message };
  }
  return { entries };
}

/** The tree the checker's entries describe, applied in order (later entries replace earlier ones). */
function predict(entries: TarEntry[]): Map<string, Node> {
  const tree = new Map<string, Node>();
  const parents = (p: string) => {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!tree.has(d)) tree.set(d, { type: "directory" });
    }
  };
  for (const e of entries) {
    const norm = normalizeEntryPath(e.path);
    if (!("path" in norm) || norm.path === "") continue;
    const p = norm.path;
    parents(p);
    const mode = e.mode & 0o7777;
    if (e.type === "hardlink") {
      const t = normalizeEntryPath(e.linkpath);
      const target = "path" in t ? t.path : "";
      tree.set(p, { ...tree.get(target)!, sameAs: target });
    } else if (e.type === "symlink") tree.set(p, { type: "symlink", linkpath: e.linkpath });
    else if (e.type === "file" || e.type === "directory" || e.type === "fifo") tree.set(p, { type: e.type, mode });
  }
  return tree;
}

/** What umoci wrote, by an lstat walk. */
function walk(root: string): Map<string, Node & { ino: number }> {
  const out = new Map<string, Node & { ino: number }>();
  const visit = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(root, r));
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) out.set(r, { type: "symlink", linkpath: fs.readlinkSync(path.join(root, r)), ino: st.ino });
      else if (st.isDirectory()) {
        out.set(r, { type: "directory", mode, ino: st.ino });
        visit(r);
      } else if (st.isFIFO()) out.set(r, { type: "fifo", mode, ino: st.ino });
      else if (st.isFile()) out.set(r, { type: "file", mode, ino: st.ino });
      else out.set(r, { type: "other" as Node["type"], ino: st.ino });
    }
  };
  visit("");
  return out;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** An OCI layout around one uncompressed layer, unpacked by `umoci raw unpack`; the rootfs path. */
async function umociUnpack(layer: Uint8Array): Promise<{ rootfs: string } | { failed: string }> {
  const base = path.join(dir, `c${++n}`);
  const blobs = path.join(base, "oci", "blobs", "sha256");
  fs.mkdirSync(blobs, { recursive: true });
  const blob = (b: Uint8Array | string) => {
    const buf = Buffer.from(b);
    fs.writeFileSync(path.join(blobs, sha(buf)), buf);
    return { digest: `sha256:${sha(buf)}`, size: buf.length };
  };
  const config = blob(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [`sha256:${sha(layer)}`] } }));
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, ...config },
      layers: [{ mediaType: MEDIA_TYPES.ociLayer, ...blob(layer) }],
    }),
  );
  fs.writeFileSync(path.join(base, "oci", "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(base, "oci", "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: MEDIA_TYPES.ociManifest, ...manifest, annotations: { "org.opencontainers.image.ref.name": "t" } }],
    }),
  );
  const rootfs = path.join(base, "rootfs");
  const r = await runTool("umoci", ["raw", "unpack", "--image", `${path.join(base, "oci")}:t`, rootfs]);
  return r.code === 0 ? { rootfs } : { failed: r.stderr.trim().split("\n").at(-1) ?? `exit ${r.code}` };
}

const long = (c: string, len: number) => c.repeat(len);

// Layers the checker accepts: every way of naming an entry that both readers understand.
const ACCEPTED: [string, CraftEntry[]][] = [
  [
    "a plain tree: modes, setuid, sticky, symlink, hard link, fifo",
    [
      { name: "etc/", typeflag: "5", mode: 0o755 },
      { name: "etc/hostname", body: "probe\n", mode: 0o640 },
      { name: "bin/busybox", body: "#!", mode: 0o755 },
      { name: "bin/su", body: "su", mode: 0o4755 },
      { name: "bin/sh", typeflag: "2", linkname: "busybox" },
      { name: "bin/ash", typeflag: "1", linkname: "bin/busybox" },
      { name: "tmp/", typeflag: "5", mode: 0o1777 },
      { name: "run/fifo", typeflag: "6", mode: 0o600 },
      { name: "sbin", typeflag: "5", mode: 0o700 },
    ],
  ],
  ["a ustar prefix", [{ name: "file", prefix: `a/${long("p", 120)}`, body: "x" }]],
  [
    "pax overrides: a long path, link path, times, ids, names, a comment, an xattr",
    [
      {
        name: "short",
        pax: [
          ["path", `deep/${long("d", 150)}/file`],
          ["mtime", "1700000000.25"],
          ["uid", "0"],
          ["gid", "0"],
          ["uname", "root"],
          ["gname", "root"],
          ["comment", "made by hand"],
          ["SCHILY.xattr.user.isolab", "1"],
        ],
        body: "long",
      },
      { name: "link", typeflag: "2", pax: [["linkpath", `deep/${long("t", 140)}`]] },
      { name: "hard", typeflag: "1", pax: [["linkpath", `deep/${long("d", 150)}/file`]] },
    ],
  ],
  ["a pax size over the header's", [{ name: "sized", size: 0, pax: [["size", "3"]], body: "abc" }]],
  [
    "GNU long names and long link names",
    [
      { name: "././@trunc", format: "gnu", gnuLongName: `gnu/${long("g", 130)}`, body: "g" },
      { name: "sym", format: "gnu", typeflag: "2", gnuLongName: `gnu/${long("s", 110)}`, gnuLongLink: long("l", 120) },
    ],
  ],
  ["a GNU header with valid times", [{ name: "gnu-file", format: "gnu", gnuAtime: "14571234567\0", body: "t" }]],
  ["a v7 header (no magic)", [{ name: "v7-file", format: "v7", body: "v7" }]],
  ["a base-256 size", [{ name: "b256", base256Size: true, body: "base" }]],
  [
    "'\\0' and '0' typeflags for regular files",
    [
      { name: "old", typeflag: "\0", body: "o" },
      { name: "new", typeflag: "0", body: "n" },
    ],
  ],
  [
    "names with ./, doubled slashes, UTF-8 and spaces",
    [
      { name: "./dot/", typeflag: "5" },
      { name: "./dot//x", body: "1" },
      { name: "unicodé/ñ file", body: "2" },
    ],
  ],
  [
    "a rooted absolute symlink and a directory without a slash",
    [
      { name: "usr", typeflag: "5" },
      { name: "lib", typeflag: "2", linkname: "/usr/lib" },
    ],
  ],
  [
    "a later entry replacing an earlier one",
    [
      { name: "twice", body: "first", mode: 0o600 },
      { name: "twice", body: "second", mode: 0o644 },
    ],
  ],
];

describe("differential: the archive checker's reading equals umoci's (Go archive/tar)", () => {
  it.each(ACCEPTED)("%s", async (_what, entries) => {
    const layer = craftTar(entries);
    const reading = check(layer);
    expect(reading).not.toHaveProperty("refused");
    const predicted = predict((reading as { entries: TarEntry[] }).entries);
    const unpacked = await umociUnpack(layer);
    expect(unpacked).not.toHaveProperty("failed");
    const tree = walk((unpacked as { rootfs: string }).rootfs);

    expect([...tree.keys()].sort()).toEqual([...predicted.keys()].sort());
    for (const [p, want] of predicted) {
      const got = tree.get(p)!;
      expect({ path: p, type: got.type }).toEqual({ path: p, type: want.type });
      if (want.linkpath !== undefined) expect({ path: p, linkpath: got.linkpath }).toEqual({ path: p, linkpath: want.linkpath });
      if (want.mode !== undefined) expect({ path: p, mode: got.mode?.toString(8) }).toEqual({ path: p, mode: want.mode.toString(8) });
      if (want.sameAs) expect({ path: p, ino: got.ino }).toEqual({ path: p, ino: tree.get(want.sameAs)!.ino });
    }
  });

  // Why the refusals matter: Go reads these differently from a naive reader.
  it("a '\\0'-typeflag 'directory' hides a header in its body: the checker refuses, umoci writes the hidden entry", async () => {
    const hidden = craftTar([{ name: "hidden-by-dir", body: "" }], { end: false });
    const layer = craftTar([{ name: "d/", typeflag: "\0", size: hidden.length, body: hidden }]);
    expect(check(layer)).toEqual({ refused: expect.stringMatching(/entry "d\/": an old-style/) });
    const unpacked = await umociUnpack(layer);
    expect([...walk((unpacked as { rootfs: string }).rootfs).keys()].sort()).toEqual(["d", "hidden-by-dir"]);
  });

  it("a pax path and a GNU long name on one entry: the checker refuses, umoci takes the GNU name", async () => {
    const layer = craftTar([{ name: "x", pax: [["path", "pax-name"]], gnuLongName: "gnu-name", body: "1" }]);
    expect(check(layer)).toEqual({ refused: expect.stringMatching(/both a pax path and a GNU long name/) });
    const unpacked = await umociUnpack(layer);
    expect([...walk((unpacked as { rootfs: string }).rootfs).keys()]).toEqual(["gnu-name"]);
  });
});
