import "server-only";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { parseReadyLine } from "@/lib/probe/ready-line";

// Waits for the probe's READY line in the container's log file. inotify
// (fs.watch) wakes us as soon as the container writes; a slow fallback tick
// covers a missed event and asks whether the init has already died, so a
// crashed start fails at once instead of at the timeout.

const FALLBACK_TICK_MS = 50;

export interface ReadyWaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Returns why waiting is pointless (the init died), or null to keep waiting. */
  failIf?: () => string | null;
}

export class ReadyWatcher {
  private offset: number;
  private partial = "";
  private readonly watcher: fs.FSWatcher;
  private wake: () => void = () => {};

  /** Start watching before the container starts, so no write is missed; earlier content is ignored. */
  constructor(private readonly logPath: string) {
    this.offset = fs.statSync(logPath).size;
    this.watcher = fs.watch(logPath, { persistent: false }, () => this.wake());
  }

  /** Resolves with performance.now() at the moment the READY line was seen. */
  wait({ timeoutMs, signal, failIf }: ReadyWaitOptions): Promise<number> {
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      let tick: NodeJS.Timeout | undefined;
      const done = (fn: () => void) => {
        this.wake = () => {};
        clearTimeout(tick);
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const onAbort = () => done(() => reject(new Error("start cancelled")));
      const check = (fromTick: boolean) => {
        try {
          if (this.scan()) return done(() => resolve(performance.now()));
        } catch (err) {
          return done(() => reject(err));
        }
        if (!fromTick) return;
        const failure = failIf?.() ?? (performance.now() >= deadline ? `no READY line within ${timeoutMs} ms` : null);
        if (failure) return done(() => reject(new Error(failure)));
        tick = setTimeout(() => check(true), FALLBACK_TICK_MS);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.wake = () => check(false);
      check(true);
    });
  }

  close(): void {
    this.watcher.close();
  }

  /** Reads what was appended since the last scan; true once a READY line is among it. */
  private scan(): boolean {
    const fd = fs.openSync(this.logPath, "r");
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= this.offset) return false;
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buf.toString("utf8")).split("\n");
      this.partial = lines.pop() ?? "";
      return lines.some((line) => parseReadyLine(line) !== null);
    } finally {
      fs.closeSync(fd);
    }
  }
}
