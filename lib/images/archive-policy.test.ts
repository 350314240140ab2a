import { describe, expect, it } from "vitest";
import { normalizeEntryPath, resolveSymlinkTarget, RootfsChecker, type PathViolationKind } from "./archive-policy";
import { buildTar, TarReader, type TarEntryType, type TarHeaderSpec } from "./tar";

/** Entries as a tar reader reports them from crafted headers, checked in order; the first refusal's kind. */
function firstViolation(specs: TarHeaderSpec[], absoluteSymlinks: "rooted" | "reject" = "rooted"): PathViolationKind | null {
  const checker = new RootfsChecker({ absoluteSymlinks });
  let found: PathViolationKind | null = null;
  const reader = new TarReader({
    entry: (e) => {
      found ??= checker.check(e)?.kind ?? null;
    },
  });
  reader.push(buildTar(specs));
  reader.finish();
  return found;
}

const file = (path: string): TarHeaderSpec => ({ path, size: 0 });
const link = (path: string, linkpath: string, type: TarEntryType = "symlink"): TarHeaderSpec => ({ path, type, linkpath });

describe("RootfsChecker, from crafted tar headers", () => {
  it.each<[string, TarHeaderSpec[], PathViolationKind | null]>([
    ["a plain tree", [{ path: "./", type: "directory" }, { path: "bin/", type: "directory" }, file("bin/busybox"), link("bin/sh", "busybox")], null],
    ["umoci's root entry '/'", [{ path: "/", type: "directory" }, file("etc/passwd")], null],
    ["../x", [file("../x")], "parent-traversal"],
    ["a/../../x", [file("a/../../x")], "parent-traversal"],
    ["/etc/passwd", [file("/etc/passwd")], "absolute-path"],
    ["symlink to /", [link("root", "/")], "symlink-to-root"],
    ["symlink to /..", [link("up", "/..")], "symlink-to-root"],
    ["symlink a -> ../../x", [link("a", "../../x")], "symlink-escape"],
    ["symlink deep/a -> ../../../x", [link("deep/a", "../../../x")], "symlink-escape"],
    ["symlink bin -> usr/bin (usrmerge)", [link("bin", "usr/bin")], null],
    ["absolute symlink inside the root (alpine's /bin/sh)", [link("bin/sh", "/bin/busybox")], null],
    ["a file written through a symlink", [link("etc", "/tmp/x"), file("etc/passwd")], "through-symlink"],
    ["a symlink replaced by a directory first", [link("etc", "x"), { path: "etc", type: "directory" }, file("etc/passwd")], null],
    ["a symlink removed by a whiteout", [link("etc", "x"), file(".wh.etc"), { path: "etc", type: "directory" }, file("etc/passwd")], null],
    ["hardlink escape ../../etc/shadow", [link("h", "../../etc/shadow", "hardlink")], "hardlink-escape"],
    ["hardlink to /etc/shadow", [link("h", "/etc/shadow", "hardlink")], "hardlink-escape"],
    ["hardlink through a symlink", [link("s", "/etc"), link("h", "s/shadow", "hardlink")], "hardlink-escape"],
    ["hardlink inside", [file("a"), link("b", "a", "hardlink")], null],
    ["hardlink to a symlink", [link("s", "target"), link("h", "s", "hardlink")], "hardlink-to-symlink"],
    ["hardlink to ./symlink", [link("s", "/bin/busybox"), link("h", "./s", "hardlink")], "hardlink-to-symlink"],
    ["hardlink to a symlink since replaced", [link("s", "t"), file("s"), link("h", "s", "hardlink")], null],
    ["a character device", [{ path: "dev/null", type: "char" }], "device-node"],
    ["a block device", [{ path: "dev/sda", type: "block" }], "device-node"],
    ["a fifo", [{ path: "run/fifo", type: "fifo" }], null],
  ])("%s", (_what, specs, kind) => {
    expect(firstViolation(specs)).toBe(kind);
  });

  it("refuses absolute symlinks in the outer archive (a file tree, not a root)", () => {
    expect(firstViolation([link("layer.tar", "/etc/passwd")], "reject")).toBe("absolute-symlink");
    expect(firstViolation([link("abc/layer.tar", "../def.tar")], "reject")).toBeNull();
  });

  it("finds /bin/probe through the image's own symlinks, and loses it to a whiteout", () => {
    const checker = new RootfsChecker();
    const feed = (specs: TarHeaderSpec[]) => {
      const r = new TarReader({ entry: (e) => void checker.check(e) });
      r.push(buildTar(specs));
      r.finish();
    };
    feed([link("bin", "usr/bin"), file("usr/bin/probe")]);
    expect(checker.hasFile("bin/probe")).toBe(true);
    feed([file("usr/bin/.wh.probe")]);
    expect(checker.hasFile("bin/probe")).toBe(false);
  });
});

describe("normalizeEntryPath", () => {
  it.each([
    ["./a//b/", "a/b"],
    ["a/./b", "a/b"],
    ["./", ""],
    ["/", ""],
  ])("%j → %j", (raw, path) => expect(normalizeEntryPath(raw)).toEqual({ path }));

  it.each(["", "/x", "x/../y", "a\0b", "/.."])("refuses %j", (raw) => expect("violation" in normalizeEntryPath(raw)).toBe(true));
});

describe("resolveSymlinkTarget", () => {
  it.each([
    ["usr/lib/x", "../../bin/y", "rooted", { resolved: "bin/y" }],
    ["a/b", "/etc/../usr", "rooted", { resolved: "usr" }],
    ["a", "/../../etc", "rooted", { resolved: "etc" }],
    ["a", ".", "rooted", { violation: "symlink-to-root" }],
    ["a", "", "rooted", { violation: "symlink-escape" }],
    ["a", "/x", "reject", { violation: "absolute-symlink" }],
  ] as const)("%s -> %s (%s)", (linkPath, target, mode, expected) => {
    expect(resolveSymlinkTarget(linkPath, target, mode)).toMatchObject(expected);
  });
});
