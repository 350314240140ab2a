import "server-only";
import fs from "node:fs";
import path from "node:path";
import {
  KSM_COUNTERS,
  KSM_TUNABLES,
  ksmUnavailableReason,
  parseKsmCounters,
  parseKsmSettings,
  type KsmCounters,
  type KsmSettings,
  type KsmWrite,
} from "@/lib/host/ksm";
import { IsolabError } from "@/server/errors";

// Reads and writes the KSM directory of sysfs. The directory is
// configuration (AppConfig.ksmSysfsDir), so a test can point it where the
// kernel has no KSM and see the refusal a host without CONFIG_KSM gives.

/** KSM cannot be used here; says what is missing and how to fix it (503). */
export class KsmUnavailableError extends IsolabError {
  override readonly status = 503;
  constructor(
    readonly dir: string,
    readonly code: string | undefined,
  ) {
    super(`KSM is not available: ${ksmUnavailableReason(dir, code)}`, { part: "ksm", dir, code });
  }
}

export class KsmSysfs {
  constructor(readonly dir: string) {}

  /** Throws KsmUnavailableError unless `run` and the rate's files can be read and written. Changes nothing. */
  check(): void {
    for (const name of ["run", "pages_to_scan", "sleep_millisecs"]) {
      try {
        fs.accessSync(path.join(this.dir, name), fs.constants.R_OK | fs.constants.W_OK);
      } catch (err) {
        throw new KsmUnavailableError(this.dir, (err as NodeJS.ErrnoException).code);
      }
    }
  }

  readSettings(): KsmSettings {
    return parseKsmSettings(this.readFiles(KSM_TUNABLES));
  }

  readCounters(): KsmCounters {
    return parseKsmCounters(this.readFiles(KSM_COUNTERS));
  }

  /** One write after another, in order; "r+" so that a misconfigured directory never gains a file. */
  async write(writes: readonly KsmWrite[]): Promise<void> {
    for (const [name, value] of writes) {
      const file = path.join(this.dir, name);
      try {
        // Asynchronous: run=2 unmerges inside the write, and the event loop should not wait for it.
        await fs.promises.writeFile(file, value, { flag: "r+" });
      } catch (err) {
        throw new Error(`writing ${value} to ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  /** The files that exist, name → content; a file the kernel does not have is left out. */
  private readFiles(names: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of names) {
      try {
        out[name] = fs.readFileSync(path.join(this.dir, name), "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    return out;
  }
}
