import "server-only";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// Who may touch the store when. Writers (a commit, a delete, the probe
// import) change index.json and remove blobs; readers (an unpack, a push)
// read blobs by reference and must not see them vanish. In one process, a
// readers–writer lock per store root (one app builds the store, so every
// caller goes through this copy of the module). Between processes (the CLI
// next to the server), writers also hold a lock directory naming their pid.

interface RwState {
  readers: number;
  writer: boolean;
  queue: (() => void)[];
}

const locks = new Map<string, RwState>();

function state(root: string): RwState {
  let s = locks.get(root);
  if (!s) locks.set(root, (s = { readers: 0, writer: false, queue: [] }));
  return s;
}

function wakeAll(s: RwState) {
  const q = s.queue.splice(0);
  for (const fn of q) fn();
}

async function acquire(s: RwState, write: boolean): Promise<void> {
  for (;;) {
    if (write ? !s.writer && s.readers === 0 : !s.writer) {
      if (write) s.writer = true;
      else s.readers++;
      return;
    }
    await new Promise<void>((resolve) => s.queue.push(resolve));
  }
}

export async function withReadLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const s = state(root);
  await acquire(s, false);
  try {
    return await fn();
  } finally {
    s.readers--;
    wakeAll(s);
  }
}

const CROSS_PROCESS_WAIT_MS = 120_000;

export async function withWriteLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const s = state(root);
  await acquire(s, true);
  const dir = path.join(root, "lock");
  try {
    await lockDir(dir);
    try {
      return await fn();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    s.writer = false;
    wakeAll(s);
  }
}

async function lockDir(dir: string): Promise<void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + CROSS_PROCESS_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "pid"), String(process.pid));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = lockOwner(dir);
    // A lock whose owner died (or is this process after a crash-reload) is stale.
    if (owner === "stale" || (owner !== "writing" && (owner === process.pid || !alive(owner)))) {
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the image store is locked by pid ${owner} for over ${CROSS_PROCESS_WAIT_MS / 1000} s`);
    await sleep(50);
  }
}

/** The pid in the lock, "writing" while its owner has not written it yet, "stale" for a lock left without one. */
function lockOwner(dir: string): number | "writing" | "stale" {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : "stale";
  } catch {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    return st && Date.now() - st.mtimeMs > 5000 ? "stale" : "writing";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
