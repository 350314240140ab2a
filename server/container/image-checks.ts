import "server-only";
import fs from "node:fs";
import path from "node:path";
import { parseGroup, parsePasswd, resolveUser, type ResolvedUser } from "@/lib/container/user";
import { checkWorkingDir, type RootfsEntry } from "@/lib/container/workdir";
import { InvalidRequestError } from "@/server/errors";

// What an image asks for, checked against its own rootfs before the runtime
// sees it: its `User` must exist there, its `WorkingDir` must be a directory
// inside it. Nothing on the host is followed: /etc/passwd is read only when
// /etc is a real directory and passwd a regular file, and the working
// directory is walked component by component with lstat.

const MAX_ACCOUNT_FILE = 1024 * 1024;

/** `<root>/etc/<name>` when /etc is a directory and the file a regular file; "" otherwise. */
function readEtc(rootfsDir: string, name: string): string {
  const etc = fs.lstatSync(path.join(rootfsDir, "etc"), { throwIfNoEntry: false });
  if (!etc?.isDirectory()) return "";
  const file = path.join(rootfsDir, "etc", name);
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!st?.isFile() || st.size > MAX_ACCOUNT_FILE) return "";
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(st.size);
    const n = fs.readSync(fd, buf, 0, st.size, 0);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

export function imageUser(rootfsDir: string, user: string | undefined): ResolvedUser {
  if (!user || user.trim() === "") return { uid: 0, gid: 0, additionalGids: [] };
  const r = resolveUser(user, parsePasswd(readEtc(rootfsDir, "passwd")), parseGroup(readEtc(rootfsDir, "group")));
  if (!r.ok) throw new InvalidRequestError(`The image's User cannot run: ${r.problem}.`, { field: "User", value: user });
  return r.user;
}

function lookupIn(rootfsDir: string) {
  return (rooted: string): RootfsEntry => {
    const st = fs.lstatSync(path.join(rootfsDir, rooted), { throwIfNoEntry: false });
    if (!st) return { kind: "missing" };
    if (st.isDirectory()) return { kind: "dir" };
    if (st.isSymbolicLink()) return { kind: "symlink", target: fs.readlinkSync(path.join(rootfsDir, rooted)) };
    return { kind: "other" };
  };
}

/** The working directory as a plain path inside the rootfs (symlinks resolved), or a 422 naming it. */
export function imageWorkingDir(rootfsDir: string, cwd: string | undefined): string {
  const r = checkWorkingDir(cwd ?? "", lookupIn(rootfsDir));
  if (!r.ok) throw new InvalidRequestError(`The image's WorkingDir cannot be used: ${r.problem}.`, { field: "WorkingDir", value: cwd });
  return r.resolved;
}
