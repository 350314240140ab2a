import "server-only";
import fs from "node:fs";
import path from "node:path";
import { MalformedArchiveError } from "./errors";

// After umoci has unpacked a root filesystem (the archive checker read every
// header first), an lstat walk checks what is really on disk and takes away
// what an image could use against its host:
// - a device node, socket or mount point (another file system) is refused:
//   the checker let none through, so one here means the two readers differ;
// - setuid and setgid bits on regular files are cleared, and so are file
//   capabilities (the security.capability xattr a pax SCHILY.xattr record
//   set): an lchown to the file's own owner drops both in the kernel, with
//   no xattr call and no change of ownership (the rootfs keeps the image's
//   uids and gids);
// - nothing is followed: symlinks are lstat'ed, never opened.
// The walk never leaves the root: it lists directories it lstat'ed as such.

export interface SanitizeReport {
  entries: number;
  /** Regular files whose setuid/setgid bits were cleared (paths inside the root). */
  privilegeBitsCleared: string[];
}

export function sanitizeRootfs(root: string): SanitizeReport {
  const rootStat = fs.lstatSync(root);
  if (!rootStat.isDirectory()) throw new MalformedArchiveError(`The unpacked image root ${root} is not a directory.`);
  const report: SanitizeReport = { entries: 0, privilegeBitsCleared: [] };
  const refuse = (rel: string, what: string) =>
    new MalformedArchiveError(`The unpacked image holds ${what} at /${rel}, which the archive check did not see; nothing was kept.`, { path: `/${rel}` });
  const stack = [""];
  while (stack.length) {
    const rel = stack.pop()!;
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      report.entries++;
      if (st.dev !== rootStat.dev) throw refuse(r, "another file system");
      if (st.isDirectory()) stack.push(r);
      else if (st.isFile()) {
        // Same owner: the kernel clears setuid, setgid (with group exec) and security.capability on chown.
        fs.lchownSync(p, st.uid, st.gid);
        if (st.mode & 0o6000) {
          fs.chmodSync(p, st.mode & 0o1777);
          report.privilegeBitsCleared.push(r);
        }
      } else if (st.isSymbolicLink() || st.isFIFO()) continue;
      else if (st.isCharacterDevice() || st.isBlockDevice()) throw refuse(r, "a device node");
      else throw refuse(r, "a socket or other special file");
    }
  }
  return report;
}
