import "server-only";
import fs from "node:fs";

// Which directories are some process's root right now, read from every
// /proc/<pid>/mountinfo: a container's rootfs is bind-mounted as its root,
// and a cached rootfs still mounted so must not be removed.

/** Source paths of every mount that is some process's root (a container's rootfs bind mount). */
export function mountedRoots(): string[] {
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
