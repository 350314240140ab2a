import type { TarEntry } from "./tar";

// What an image archive and its layers may contain, decided from the tar
// headers alone, before any tool unpacks a byte. Pure and table-tested.
//
// Paths are read the way a host tool walking the unpacked tree would read
// them, so nothing may climb out of the root. Symlink targets:
// - relative: resolved from the link's directory; climbing above the root is
//   an escape (`a -> ../../x`).
// - absolute, inside a layer: an image's root filesystem means them rooted at
//   the image's root (runc and the guest kernel resolve them so, and real
//   images need them: alpine's /bin/sh -> /bin/busybox). Accepted when they
//   name a path strictly inside the root; a link to the root itself (`/`,
//   `/..`) is refused: it makes the whole tree reachable again under another
//   name, the first step of every "follow the link out" trick. Isolab never
//   follows a link inside an unpacked root on the host (lookups are rooted).
// - absolute, in the outer archive (a file tree, not a root filesystem):
//   refused.
// Hardlink targets are archive paths: the same rules as entry paths. A
// hardlink to a symlink is refused: Go's tools link the symlink itself
// (linkat without AT_SYMLINK_FOLLOW) while other readers follow it, so what
// the entry becomes depends on who unpacks it.
// Device nodes are refused; a layer has no business creating them.

export type PathViolationKind =
  | "empty-path"
  | "absolute-path"
  | "parent-traversal"
  | "symlink-escape"
  | "symlink-to-root"
  | "absolute-symlink"
  | "hardlink-escape"
  | "hardlink-to-symlink"
  | "through-symlink"
  | "device-node";

export interface PathViolation {
  kind: PathViolationKind;
  /** The entry's path as written in the archive. */
  path: string;
  detail: string;
}

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_WHITEOUT = ".wh..wh..opq";

/** "./a//b/" → "a/b"; "" for the root itself; null with the reason when it may not be used. */
export function normalizeEntryPath(raw: string): { path: string } | { violation: PathViolationKind; detail: string } {
  if (raw === "") return { violation: "empty-path", detail: "an entry without a name" };
  if (raw.includes("\0")) return { violation: "empty-path", detail: "a name with a NUL byte" };
  // umoci writes the root directory itself as "/": that one absolute name is the root, nothing outside it.
  if (/^\/[/.]*$/.test(raw) && !raw.includes("..")) return { path: "" };
  if (raw.startsWith("/")) return { violation: "absolute-path", detail: "an absolute path would be written outside the image root" };
  const parts: string[] = [];
  for (const c of raw.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") return { violation: "parent-traversal", detail: "a `..` component climbs out of the image root" };
    parts.push(c);
  }
  return { path: parts.join("/") };
}

/**
 * Where a symlink at `linkPath` (normalised) points, as a path inside the
 * root ("" is the root itself), or why it may not.
 */
export function resolveSymlinkTarget(
  linkPath: string,
  target: string,
  absolute: "rooted" | "reject",
): { resolved: string } | { violation: PathViolationKind; detail: string } {
  if (target === "") return { violation: "symlink-escape", detail: "a symlink with an empty target" };
  if (target.includes("\0")) return { violation: "symlink-escape", detail: "a symlink target with a NUL byte" };
  const isAbsolute = target.startsWith("/");
  if (isAbsolute && absolute === "reject") {
    return { violation: "absolute-symlink", detail: `an absolute symlink (-> ${target}) points outside the archive` };
  }
  const parts = isAbsolute ? [] : linkPath.split("/").slice(0, -1).filter(Boolean);
  for (const c of target.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      // Rooted: `..` at the root stays at the root, as the kernel does under a chroot.
      if (parts.length === 0) {
        if (isAbsolute) continue;
        return { violation: "symlink-escape", detail: `the symlink target ${target} climbs out of the image root` };
      }
      parts.pop();
      continue;
    }
    parts.push(c);
  }
  if (parts.length === 0) return { violation: "symlink-to-root", detail: `the symlink (-> ${target}) points at the image root itself` };
  return { resolved: parts.join("/") };
}

/**
 * Checks the entries of one root filesystem, layer by layer in order: it
 * remembers symlinks (so a later entry may not be written through one) and
 * whiteouts (which remove them again).
 */
export class RootfsChecker {
  private readonly symlinks = new Map<string, string>();
  private readonly probeFiles = new Set<string>();
  entries = 0;

  constructor(private readonly opts: { absoluteSymlinks: "rooted" | "reject" } = { absoluteSymlinks: "rooted" }) {}

  /** null when the entry is allowed; records it for the entries after it. */
  check(entry: TarEntry): PathViolation | null {
    const fail = (kind: PathViolationKind, detail: string): PathViolation => ({ kind, path: entry.path, detail });
    const norm = normalizeEntryPath(entry.path);
    if ("violation" in norm) return fail(norm.violation, norm.detail);
    const p = norm.path;
    this.entries++;
    if (entry.type === "char" || entry.type === "block") {
      return fail("device-node", `a ${entry.type === "char" ? "character" : "block"} device node`);
    }
    if (p === "") {
      // The root directory itself ("./"): only as a directory.
      return entry.type === "directory" ? null : fail("symlink-to-root", "the image root replaced by a non-directory");
    }
    const through = this.symlinkPrefix(p);
    if (through) return fail("through-symlink", `written through the symlink ${through}`);

    const base = p.split("/").pop() ?? "";
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const dir = p.slice(0, p.length - base.length).replace(/\/$/, "");
      if (base === OPAQUE_WHITEOUT) this.forgetUnder(dir, false);
      else this.forgetUnder(dir ? `${dir}/${base.slice(WHITEOUT_PREFIX.length)}` : base.slice(WHITEOUT_PREFIX.length), true);
      return null;
    }

    if (entry.type === "symlink") {
      const t = resolveSymlinkTarget(p, entry.linkpath, this.opts.absoluteSymlinks);
      if ("violation" in t) return fail(t.violation, t.detail);
      this.symlinks.set(p, t.resolved);
      this.probeFiles.delete(p);
      return null;
    }
    if (entry.type === "hardlink") {
      const t = normalizeEntryPath(entry.linkpath);
      if ("violation" in t || t.path === "") {
        return fail("hardlink-escape", `the hardlink target ${entry.linkpath} is outside the image root`);
      }
      const via = this.symlinkPrefix(t.path);
      if (via) return fail("hardlink-escape", `the hardlink target ${entry.linkpath} goes through the symlink ${via}`);
      if (this.symlinks.has(t.path)) return fail("hardlink-to-symlink", `a hardlink to the symlink ${entry.linkpath}`);
    }
    this.symlinks.delete(p);
    if ((entry.type === "file" || entry.type === "hardlink") && base === "probe") this.probeFiles.add(p);
    else this.probeFiles.delete(p);
    return null;
  }

  /** Whether a regular file ends up at `p` (e.g. "bin/probe"), following the image's own symlinks rooted. */
  hasFile(p: string): boolean {
    const resolved = this.resolveRooted(p);
    return resolved !== null && this.probeFiles.has(resolved);
  }

  private resolveRooted(p: string): string | null {
    let parts = p.split("/");
    for (let hops = 0; hops < 40; hops++) {
      let changed = false;
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join("/");
        const target = this.symlinks.get(prefix);
        if (target !== undefined) {
          parts = [...target.split("/"), ...parts.slice(i)];
          changed = true;
          break;
        }
      }
      if (!changed) return parts.join("/");
    }
    return null; // a loop
  }

  /** The first proper prefix of `p` that is a symlink, if any. */
  private symlinkPrefix(p: string): string | null {
    let idx = p.indexOf("/");
    while (idx >= 0) {
      const prefix = p.slice(0, idx);
      if (this.symlinks.has(prefix)) return prefix;
      idx = p.indexOf("/", idx + 1);
    }
    return null;
  }

  private forgetUnder(p: string, includeSelf: boolean) {
    const under = p === "" ? "" : `${p}/`;
    for (const set of [this.symlinks, this.probeFiles] as const) {
      for (const k of [...set.keys()]) {
        if ((includeSelf && k === p) || k.startsWith(under)) set.delete(k);
      }
    }
  }
}
