// The image's `WorkingDir`, checked inside its rootfs before the runtime
// sees it: absolute, no "..", every component an existing directory, and any
// symlink on the way resolved as the container would (absolute targets
// rooted at the image root) — a relative target that climbs above the root
// is refused rather than clamped, since it says the image reaches outside.
// Pure: `lookup` reads one entry of the rootfs (the server's lstat/readlink).

export type RootfsEntry = { kind: "dir" } | { kind: "other" } | { kind: "missing" } | { kind: "symlink"; target: string };

export type WorkdirCheck = { ok: true; resolved: string } | { ok: false; problem: string };

const MAX_LINKS = 40; // the kernel's limit on symlinks in one lookup

export function checkWorkingDir(workdir: string, lookup: (rootedPath: string) => RootfsEntry): WorkdirCheck {
  if (workdir === "") return { ok: true, resolved: "/" };
  if (!workdir.startsWith("/")) return { ok: false, problem: `WorkingDir "${workdir}" is not an absolute path` };
  if (workdir.length > 4096 || workdir.includes("\0")) return { ok: false, problem: "WorkingDir is not a usable path" };
  if (workdir.split("/").includes("..")) return { ok: false, problem: `WorkingDir "${workdir}" contains ".."` };
  const done: string[] = [];
  const todo = workdir.split("/").filter((c) => c !== "" && c !== ".");
  let links = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (done.length === 0) return { ok: false, problem: `WorkingDir "${workdir}" leads through a symlink out of the image's root` };
      done.pop();
      continue;
    }
    const here = `/${[...done, c].join("/")}`;
    const entry = lookup(here);
    if (entry.kind === "missing") return { ok: false, problem: `WorkingDir "${workdir}" does not exist in the image (${here} is missing)` };
    if (entry.kind === "other") return { ok: false, problem: `WorkingDir "${workdir}" is not a directory (${here})` };
    if (entry.kind === "dir") {
      done.push(c);
      continue;
    }
    if (++links > MAX_LINKS) return { ok: false, problem: `WorkingDir "${workdir}" goes through more than ${MAX_LINKS} symlinks` };
    if (entry.target.startsWith("/")) done.length = 0;
    todo.unshift(...entry.target.split("/"));
  }
  return { ok: true, resolved: `/${done.join("/")}` };
}
