import "server-only";
import fs from "node:fs";
import path from "node:path";
import { findPasswdEntry, type PasswdEntry } from "@/lib/host/passwd";
import { MissingDependencyError } from "@/server/errors";

// QEMU runs as an unprivileged system user (created by scripts/setup.sh), so
// a device-emulation bug a guest reaches is that user's, not root's. QEMU's
// own `-runas` cannot be used: it drops privileges after the `-sandbox`
// filter is installed, and `elevateprivileges=deny` then kills it at its own
// setuid (measured: SIGSYS). So QEMU is exec'd by setpriv(1), already as the
// user, with the user's groups (kvm, where it is a member) and no others.
//
// What QEMU opens by path must be reachable by that user: its instance
// directory and those above it inside the state directory are 0710
// root:<its group> (search, no listing, no writing), the sockets Isolab
// listens on there are 0666, and the two files QEMU writes (console log, pid
// file) are made by Isolab beforehand, 0660 root:<its group>.

export const DEFAULT_QEMU_USER = "isolab-qemu";

export type QemuUser = PasswdEntry;

export function lookupUser(name: string, passwdFile = "/etc/passwd"): QemuUser | null {
  try {
    return findPasswdEntry(fs.readFileSync(passwdFile, "utf8"), name);
  } catch {
    return null;
  }
}

export function requireQemuUser(name: string): QemuUser {
  const user = lookupUser(name);
  if (!user) throw new MissingDependencyError("qemu-user", `The system user ${name} that QEMU runs as does not exist.`);
  if (user.uid === 0) throw new MissingDependencyError("qemu-user", `The QEMU user ${name} has uid 0; it must be an unprivileged user.`);
  return user;
}

/** setpriv's argument array that runs `binary args…` as `user` (real and effective ids, its own groups only). */
export function asUser(user: QemuUser, binary: string, args: string[]): { file: string; args: string[] } {
  return { file: "setpriv", args: ["--reuid", String(user.uid), "--regid", String(user.gid), "--init-groups", "--", binary, ...args] };
}

/** Whether `user` may search (x) a directory with these stats. */
function searchable(st: fs.Stats, user: QemuUser): boolean {
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** Why `user` cannot read `file` (a directory on its path it may not search, or the file's mode), or null when it can. */
export function unreadableBy(file: string, user: QemuUser): string | null {
  const abs = path.resolve(file);
  for (let p = path.dirname(abs); ; p = path.dirname(p)) {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return `${p} does not exist`;
    if (!searchable(st, user)) return `${p} is not searchable by ${user.name}`;
    if (p === path.dirname(p)) break;
  }
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st) return `${abs} does not exist`;
  const bit = st.uid === user.uid ? 0o400 : st.gid === user.gid ? 0o040 : 0o004;
  return st.mode & bit ? null : `${abs} is not readable by ${user.name}`;
}

/**
 * A directory of Isolab's own: 0700 root, or, when the QEMU user exists and
 * must pass through it (the state directory, the image store, its initramfs
 * cache), 0710 root:<QEMU's group> — search only, no listing, no other user.
 * `othersSearch` adds o+x (never r): only the state directory has it, for
 * confined containers, whose mapped root passes through it to its shifted
 * rootfs (server/container/shifted-rootfs.ts), as Docker's /var/lib/docker is 0711.
 */
export function privateDir(dir: string, passThrough: QemuUser | null = null, othersSearch = false): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  if (passThrough && st.gid !== passThrough.gid) fs.chownSync(dir, st.uid, passThrough.gid);
  const mode = (passThrough ? 0o710 : 0o700) | (othersSearch ? 0o001 : 0);
  if ((st.mode & 0o7777) !== mode) fs.chmodSync(dir, mode);
}

/**
 * Opens `file` with `flags` (O_NOFOLLOW always: nothing planted under the name is followed) and
 * leaves it root:<QEMU's group> 0660 (made 0600 until its group is set), for QEMU to open read-write as its own user but not chmod.
 */
export function fileForQemu(file: string, user: QemuUser, flags: number): void {
  const fd = fs.openSync(file, flags | fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.fchownSync(fd, 0, user.gid);
    fs.fchmodSync(fd, 0o660);
  } finally {
    fs.closeSync(fd);
  }
}

export interface QemuDirs {
  user: QemuUser;
  /**
   * An instance directory QEMU writes into: the directory (and those above
   * it in the base) 0710 root:<its group>, so QEMU reaches its sockets but
   * cannot create, rename or replace anything there (no symlink planted where
   * Isolab, as root, later reads or writes); the files it writes (console
   * log, pid file) made in advance by Isolab, 0660 root:<its group>.
   */
  instanceDir(dir: string, qemuWrites: string[]): void;
  /** A directory QEMU only needs to pass through (to reach a socket Isolab made): 0710 root:<its group>. */
  traverse(dir: string): void;
}

/**
 * Directories under `base` (the state directory) made reachable for the QEMU
 * user, and nothing above it changed: an ancestor QEMU cannot search is an
 * error naming it, not a chmod of someone else's directory.
 */
export function qemuDirs(base: string, user: QemuUser): QemuDirs {
  const root = path.resolve(base);
  function chain(dir: string): string[] {
    const abs = path.resolve(dir);
    const rel = path.relative(root, abs);
    if (rel.startsWith("..") || path.isAbsolute(rel)) throw new Error(`${abs} is not inside the state directory ${root}`);
    const out = [root];
    let cur = root;
    for (const part of rel.split(path.sep).filter(Boolean)) out.push((cur = path.join(cur, part)));
    return out;
  }
  function checkAbove(): void {
    for (let p = path.dirname(root); ; p = path.dirname(p)) {
      if (!searchable(fs.statSync(p), user))
        throw new Error(`QEMU runs as ${user.name} and cannot reach ${root}: ${p} is not searchable by other users; move ISOLAB_STATE_DIR`);
      if (p === path.dirname(p)) return;
    }
  }
  function traverse(dir: string): void {
    checkAbove();
    // The state directory keeps the others-search bit it was given (createApp's decision); the rest get none.
    for (const d of chain(dir)) privateDir(d, user, d === root && (fs.statSync(root).mode & 0o001) !== 0);
  }
  return {
    user,
    traverse,
    instanceDir(dir, qemuWrites) {
      traverse(dir);
      for (const f of qemuWrites) {
        if (path.dirname(path.resolve(f)) !== path.resolve(dir)) throw new Error(`${f} is not in ${dir}`);
        // The directory is root's alone to write: nothing but Isolab made what is there.
        fileForQemu(f, user, fs.constants.O_TRUNC);
      }
    },
  };
}
