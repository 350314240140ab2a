import { describe, expect, it } from "vitest";
import { checkWorkingDir, type RootfsEntry } from "./workdir";

// A small rootfs: /app, /srv -> /app, /up -> ../.., /loop -> /loop, /etc/passwd, /data -> app/data, /app/data, /out -> ../app
const tree: Record<string, RootfsEntry> = {
  "/app": { kind: "dir" },
  "/app/data": { kind: "dir" },
  "/srv": { kind: "symlink", target: "/app" },
  "/data": { kind: "symlink", target: "app/data" },
  "/up": { kind: "symlink", target: "../.." },
  "/out": { kind: "symlink", target: "../app" },
  "/loop": { kind: "symlink", target: "/loop" },
  "/etc": { kind: "dir" },
  "/etc/passwd": { kind: "other" },
};
const lookup = (p: string): RootfsEntry => tree[p] ?? { kind: "missing" };

describe("checkWorkingDir", () => {
  it.each([
    ["", "/"],
    ["/", "/"],
    ["/app", "/app"],
    ["/app/./data/", "/app/data"],
    ["/srv/data", "/app/data"],
    ["/data", "/app/data"],
  ])("%j resolves to %j", (wd, resolved) => expect(checkWorkingDir(wd, lookup)).toEqual({ ok: true, resolved }));

  it.each([
    ["app", /not an absolute path/],
    ["/app/../etc", /contains "\.\."/],
    ["/up", /through a symlink out of the image's root/],
    ["/out", /through a symlink out of the image's root/],
    ["/nope/x", /does not exist in the image \(\/nope is missing\)/],
    ["/etc/passwd", /is not a directory/],
    ["/loop", /more than 40 symlinks/],
  ])("%j is refused, naming it", (wd, re) => {
    const r = checkWorkingDir(wd, lookup);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(re);
  });
});
