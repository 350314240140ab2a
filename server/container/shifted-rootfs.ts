import "server-only";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { singleFlight } from "@/server/images/single-flight";
import { runToolOrThrow } from "@/server/images/tools";
import { InvalidRequestError, MissingDependencyError } from "@/server/errors";
import { mountedRoots } from "@/server/images/mounts";
import type { HostIdRanges } from "./id-range";

// A confined container's root is mapped to host ids range.start…+65535, so
// its shared read-only rootfs must be owned by those ids: a copy with every
// owner shifted, made once per rootfs build and range and shared by every
// container of that image (Docker's userns-remap keeps one the same way).
// runc 1.1 has no idmapped mounts (1.2 has), so shifting is a copy here.
//
//   <state>/userns/                          0711 root: searchable, not listable
//   <state>/userns/<uid>-<gid>/              0700, owned by the mapped root
//   <state>/userns/<uid>-<gid>/<key>/        the shifted copy
//   <state>/userns/<uid>-<gid>/<key>.source  the rootfs it was made from (for pruning)
//
// The container's init enters its user namespace before it mounts the root,
// as the mapped root, so every directory above the copy must be searchable by
// "others" (o+x): the state directory is given o+x (never r), as Docker
// gives /var/lib/docker 0711.

const once = singleFlight();

export function shiftedBase(stateDir: string, ranges: HostIdRanges): string {
  return path.join(stateDir, "userns", `${ranges.uid.start}-${ranges.gid.start}`);
}

/** Each rootfs build is one key: its real path plus its directory's inode and mtime (a rebuild swaps the directory). */
function keyOf(realSrc: string): string {
  const st = fs.statSync(realSrc);
  return createHash("sha256").update(`${realSrc}\0${st.ino}\0${st.mtimeMs}`).digest("hex").slice(0, 32);
}

/** Adds o+x to the state directory; refuses when a directory above it is not searchable by others. */
function ensureSearchable(stateDir: string): void {
  const st = fs.statSync(stateDir);
  if ((st.mode & 0o001) === 0) fs.chmodSync(stateDir, (st.mode & 0o7777) | 0o001);
  for (let dir = path.dirname(stateDir); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) {
      throw new MissingDependencyError(
        "userns",
        `A confined container's root cannot reach its rootfs under ${stateDir}: ${dir} is not searchable by other users (chmod o+x ${dir}, or set ISOLAB_STATE_DIR elsewhere).`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

export async function shiftedRootfs(stateDir: string, rootfsDir: string, ranges: HostIdRanges): Promise<{ dir: string; copied: boolean }> {
  const realSrc = fs.realpathSync(rootfsDir);
  const base = shiftedBase(stateDir, ranges);
  const dest = path.join(base, keyOf(realSrc));
  // Checked at every start, not only at the copy: the state directory's
  // modes may have changed since (a few stat calls).
  ensureSearchable(stateDir);
  if (fs.existsSync(dest)) return { dir: dest, copied: false };
  return once(dest, async () => {
    if (fs.existsSync(dest)) return { dir: dest, copied: false };
    fs.mkdirSync(path.dirname(base), { recursive: true, mode: 0o711 });
    fs.chmodSync(path.dirname(base), 0o711);
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
    fs.chownSync(base, ranges.uid.start, ranges.gid.start);
    const tmp = path.join(base, `.tmp-${randomBytes(4).toString("hex")}`);
    try {
      await runToolOrThrow("cp", ["-a", "-T", realSrc, tmp], `copying ${realSrc} for the user namespace`);
      await shiftOwners(tmp, ranges);
      fs.writeFileSync(`${dest}.source`, realSrc);
      fs.renameSync(tmp, dest);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return { dir: dest, copied: true };
  });
}

/** Every entry's owner + the range start; hard links are shifted once; setuid/setgid bits (cleared by chown) restored. */
async function shiftOwners(root: string, ranges: HostIdRanges): Promise<void> {
  const seen = new Set<string>();
  const visit = async (p: string): Promise<void> => {
    const st = await fsp.lstat(p);
    const inode = `${st.dev}:${st.ino}`;
    if (!seen.has(inode)) {
      seen.add(inode);
      if (st.uid >= ranges.uid.count || st.gid >= ranges.gid.count) {
        const rel = `/${path.relative(root, p)}`;
        throw new InvalidRequestError(
          `The image's ${rel} is owned by ${st.uid}:${st.gid}, beyond the ${ranges.uid.count} ids a confined container maps; run it privileged or fix its owner.`,
          { field: "image", path: rel },
        );
      }
      await fsp.lchown(p, ranges.uid.start + st.uid, ranges.gid.start + st.gid);
      if (!st.isSymbolicLink() && st.mode & 0o6000) await fsp.chmod(p, st.mode & 0o7777);
    }
    if (st.isDirectory()) for (const name of await fsp.readdir(p)) await visit(path.join(p, name));
  };
  await visit(root);
}

/** Removes shifted copies whose rootfs is gone and that no container has as its root. */
export function pruneShiftedRootfs(stateDir: string): void {
  const top = path.join(stateDir, "userns");
  if (!fs.existsSync(top)) return;
  const mounted = mountedRoots();
  for (const range of fs.readdirSync(top)) {
    const dir = path.join(top, range);
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      if (name.startsWith(".tmp-")) fs.rmSync(p, { recursive: true, force: true });
      if (!name.endsWith(".source")) continue;
      const copy = p.slice(0, -".source".length);
      const src = fs.readFileSync(p, "utf8");
      if (fs.existsSync(src) || mounted.some((m) => m === copy)) continue;
      fs.rmSync(copy, { recursive: true, force: true });
      fs.rmSync(p, { force: true });
    }
  }
}
