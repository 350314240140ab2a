import "server-only";
import fs from "node:fs";
import path from "node:path";
import { MissingDependencyError } from "@/server/errors";
import { qemuVersion } from "./accel";

// Host-side chores of the VM engine: is QEMU there, read a log's tail, and
// clear QEMUs an earlier Isolab run left behind.

export async function qemuVersionOrMissing(qemuBinary: string): Promise<string> {
  try {
    return await qemuVersion(qemuBinary);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "is not installed" : `does not run (${(err as Error).message.split("\n")[0]})`;
    throw new MissingDependencyError("qemu", `QEMU (${qemuBinary}) ${why}.`);
  }
}

/** The last `lines` lines of a file, reading at most `maxBytes` from its end. */
export function readTail(file: string, lines: number, maxBytes = 64 * 1024): string {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return "";
  }
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    return buf
      .toString("utf8")
      .replace(/\r/g, "")
      .split("\n")
      .filter((l, i, all) => l !== "" || i < all.length - 1)
      .slice(-lines)
      .join("\n");
  } finally {
    fs.closeSync(fd);
  }
}

function cmdline(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Running, not merely a zombie waiting for its parent to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * A pid is ours only if /proc says it is QEMU *and* its arguments name this
 * instance's directory: a pidfile outliving a reboot may point at a reused pid.
 */
export function isOurQemu(pid: number, dir: string): boolean {
  const argv = cmdline(pid);
  if (!argv?.length) return false;
  return path.basename(argv[0]).startsWith("qemu-system") && argv.some((a) => a.includes(`${dir}/`));
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

/** Kills QEMUs named by `<stateDir>/instances/<id>/qemu.pid` and removes their sockets and pidfiles. */
export async function reconcileVms(stateDir: string): Promise<string[]> {
  const root = path.join(stateDir, "instances");
  const removed: string[] = [];
  const dirs = (fs.existsSync(root) ? fs.readdirSync(root) : []).map((id) => ({ id, dir: path.join(root, id) }));
  // The accelerator probe's VM (accel.ts) lives beside the instances.
  dirs.push({ id: "kvm-probe", dir: path.join(stateDir, "kvm-probe") });
  for (const { id, dir } of dirs) {
    const pidfile = path.join(dir, "qemu.pid");
    if (!fs.existsSync(pidfile)) continue;
    const pid = Number.parseInt(fs.readFileSync(pidfile, "utf8").trim(), 10);
    // A pooled VM keeps the arguments of the pool directory it was started in (templated-start.ts adopt).
    if (Number.isInteger(pid) && pid > 1 && (isOurQemu(pid, dir) || isOurQemu(pid, path.join(root, "pool-")))) {
      // Its own process group (spawned detached): take helpers along.
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        process.kill(pid, "SIGKILL");
      }
      await waitGone(pid, 5_000);
      removed.push(`QEMU pid ${pid} of ${id}`);
    }
    // A pool's directory belongs to no instance: nothing in it is worth keeping.
    if (id.startsWith("pool-")) {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(id);
      continue;
    }
    for (const f of ["qemu.pid", "qmp.sock", "agent.sock"]) {
      const p = path.join(dir, f);
      if (fs.existsSync(p)) {
        fs.rmSync(p, { force: true });
        removed.push(`${id}/${f}`);
      }
    }
  }
  return removed;
}
