import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidRequestError } from "@/server/errors";
import { hostIdRanges } from "./id-range";
import { probeImage } from "./test-support";
import { containerTestBed } from "./test-bed";

// What confines a container, read from the host's /proc, not from Isolab.

const bed = containerTestBed({ prefix: "ct-confine", name: "c", defaults: { memoryMiB: 64, cpus: 1, readyTimeoutMs: 5000 } });

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

const idMap = (pid: number, which: "uid_map" | "gid_map") => fs.readFileSync(`/proc/${pid}/${which}`, "utf8").trim().split(/\s+/).map(Number);

describe("a confined container (the default)", () => {
  it("runs its init under the seccomp filter, in a user namespace whose root is not host root, with two capabilities", async () => {
    const first = await bed.engine.start(bed.request());
    try {
      const range = hostIdRanges();
      const s = status(first.pid);
      expect(s.Seccomp).toBe("2");
      expect(s.NoNewPrivs).toBe("1");
      expect(BigInt(`0x${s.CapEff}`)).toBe((1n << 5n) | (1n << 10n)); // CAP_KILL, CAP_NET_BIND_SERVICE
      expect(BigInt(`0x${s.CapBnd}`)).toBe((1n << 5n) | (1n << 10n));
      const [inside, outside, count] = idMap(first.pid, "uid_map");
      expect(inside).toBe(0);
      expect(outside).not.toBe(0);
      expect([outside, count]).toEqual([range.uid.start, range.uid.count]);
      expect(idMap(first.pid, "gid_map").slice(1)).toEqual([range.gid.start, range.gid.count]);
      // Container root is an unprivileged host uid.
      expect(s.Uid.split(/\s+/)[0]).toBe(String(range.uid.start));
      // The first start shifted the rootfs; the probe inside it belongs to container root.
      expect(first.startup.phases[0].name).toBe("rootfs-shift");
      expect(fs.statSync(`/proc/${first.pid}/root/bin/probe`).uid).toBe(range.uid.start);
    } finally {
      await first.stop();
    }
    const second = await bed.engine.start(bed.request());
    await second.stop();
    expect(second.startup.phases.map((p) => p.name)).toEqual(["runtime-run", "ready"]);
  });

  it("runs the image's User, resolved in its /etc/passwd, with no capabilities, in its WorkingDir", async () => {
    const h = await bed.engine.start(bed.request({ image: { ...probeImage(), user: "nobody", cwd: "/tmp" } }));
    try {
      const s = status(h.pid);
      expect(s.Uid.split(/\s+/)[0]).toBe(String(hostIdRanges().uid.start + 65534));
      expect(s.CapEff).toBe("0000000000000000");
      expect(fs.readlinkSync(`/proc/${h.pid}/cwd`)).toMatch(/\/tmp$/);
      const info = await h.exec("info", [], { timeoutMs: 10_000 });
      expect(info.exitCode).toBe(0);
    } finally {
      await h.stop();
    }
  });
});

describe("a privileged container", () => {
  it("has no filter, no user namespace and every capability", async () => {
    const h = await bed.engine.start(bed.request({ privileged: true }));
    try {
      const s = status(h.pid);
      expect(s.Seccomp).toBe("0");
      expect(s.NoNewPrivs).toBe("0");
      expect(idMap(h.pid, "uid_map")).toEqual([0, 0, 4294967295]);
      expect(s.Uid.split(/\s+/)[0]).toBe("0");
      expect(BigInt(`0x${s.CapEff}`) & (1n << 21n)).toBe(1n << 21n); // CAP_SYS_ADMIN
    } finally {
      await h.stop();
    }
  });
});

describe("an image that cannot run as it says", () => {
  let rootfs: string;
  beforeAll(() => {
    rootfs = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-confine-root-"));
    fs.mkdirSync(path.join(rootfs, "etc"));
    fs.mkdirSync(path.join(rootfs, "srv"));
    fs.writeFileSync(path.join(rootfs, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\n");
    fs.writeFileSync(path.join(rootfs, "etc", "group"), "root:x:0:\n");
    fs.symlinkSync("../../../../..", path.join(rootfs, "escape"));
  });
  afterAll(() => fs.rmSync(rootfs, { recursive: true, force: true }));

  it.each([
    [{ user: "ghost" }, /User cannot run: user "ghost" is not in the image's \/etc\/passwd/],
    [{ user: "root:wheel" }, /group "wheel" is not in the image's \/etc\/group/],
    [{ cwd: "/srv/../etc" }, /WorkingDir "\/srv\/\.\.\/etc" contains "\.\."/],
    [{ cwd: "/escape/etc" }, /WorkingDir "\/escape\/etc" leads through a symlink out of the image's root/],
    [{ cwd: "/nowhere" }, /WorkingDir "\/nowhere" does not exist in the image/],
  ])("%j is refused with a 422 naming it, leaving nothing", async (patch, message) => {
    const req = bed.request({ image: { ...probeImage(), rootfsDir: rootfs, ...patch } });
    const err = await bed.engine.start(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as Error).message).toMatch(message);
    expect(fs.existsSync(req.dir)).toBe(false);
  });
});

describe("shifted copies", () => {
  it("are pruned at reconcile once their rootfs is gone, and kept while it is there", async () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-confine-src-"));
    fs.mkdirSync(path.join(src, "etc"));
    const { shiftedRootfs } = await import("./shifted-rootfs");
    const copy = await shiftedRootfs(bed.stateDir, src, hostIdRanges());
    expect(copy.copied).toBe(true);
    expect(fs.statSync(path.join(copy.dir, "etc")).uid).toBe(hostIdRanges().uid.start);
    await bed.engine.reconcile(bed.stateDir);
    expect(fs.existsSync(copy.dir)).toBe(true);
    fs.rmSync(src, { recursive: true });
    await bed.engine.reconcile(bed.stateDir);
    expect(fs.existsSync(copy.dir)).toBe(false);
    expect(fs.existsSync(`${copy.dir}.source`)).toBe(false);
  });
});
