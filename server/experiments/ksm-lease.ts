import "server-only";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { applyWrites, restoreUnmerges, restoreWrites, settingsDiff, type KsmSettings } from "@/lib/host/ksm";
import { ConflictError, IsolabError } from "@/server/errors";
import { KsmSysfs } from "@/server/host/ksm-sysfs";
import { ownerAlive, processOwner } from "./owner";

// The host's KSM settings as a run found them, kept in a file until they are
// put back: written before the first change, removed once the restore has
// been read back equal. The file is also the lock — one KSM run at a time
// per installation, whichever Isolab process (the server, the CLI) runs it,
// as both use the server's path (config.ksmSavedPath). A file left by a
// process that died is restored when the next app starts (recover), or
// before the next run takes over.

const BOOT_ID = "/proc/sys/kernel/random/boot_id";

const SavedSchema = z.object({
  version: z.literal(1),
  /** "<pid>:<start ticks>" of the process that changed the settings (server/experiments/owner.ts). */
  owner: z.string().max(64),
  /** A reboot puts the settings back to the boot's own; the saved ones then no longer apply. */
  bootId: z.string().max(64),
  /** The sysfs directory that was changed. */
  dir: z.string().min(1).max(4096),
  settings: z.object({ run: z.number(), pages_to_scan: z.number(), sleep_millisecs: z.number(), advisor_mode: z.string().max(32).optional() }),
  /** Merged pages on the host before the run: none means a restore may unmerge (lib/host/ksm.ts restoreWrites). */
  pagesSharedBefore: z.number(),
  savedAt: z.string().max(64),
});
type Saved = z.infer<typeof SavedSchema>;

/** Another process's run has KSM's settings; or the saved file cannot be read (409). */
export class KsmBusyError extends ConflictError {}

/** The settings could not be put back; the saved file stays, and the next start tries again (500). */
export class KsmRestoreError extends IsolabError {
  override readonly status = 500;
}

export interface KsmRestored {
  after: KsmSettings;
  unmerged: boolean;
}

const readBootId = () => fs.readFileSync(BOOT_ID, "utf8").trim();

/** What one run holds: the host's own settings, the change, the restore. */
export class KsmLease {
  private changed = false;
  private released = false;

  constructor(
    private readonly file: string,
    readonly saved: Saved,
    private readonly sysfs: KsmSysfs,
  ) {}

  /** Turns KSM on at the run's rate. */
  async apply(rate: { pagesToScan: number; sleepMs: number }): Promise<void> {
    this.changed = true;
    await this.sysfs.write(applyWrites(this.saved.settings, rate));
  }

  /** Puts the saved settings back (only if anything was changed), checks them and removes the file. Idempotent. */
  async restore(): Promise<KsmRestored> {
    if (this.released) return { after: this.sysfs.readSettings(), unmerged: false };
    const unmerged = this.changed ? await restoreSaved(this.saved, this.file) : false;
    this.released = true;
    fs.rmSync(this.file, { force: true });
    return { after: this.sysfs.readSettings(), unmerged };
  }
}

/** Writes the saved settings back and reads them again; throws KsmRestoreError, keeping the file, if they differ. */
async function restoreSaved(saved: Saved, file: string): Promise<boolean> {
  const sysfs = new KsmSysfs(saved.dir);
  const writes = restoreWrites(saved.settings, saved.pagesSharedBefore);
  try {
    await sysfs.write(writes);
    const diff = settingsDiff(saved.settings, sysfs.readSettings());
    if (diff.length) throw new Error(diff.join("; "));
  } catch (err) {
    throw new KsmRestoreError(
      `The host's KSM settings in ${saved.dir} could not be restored (${(err as Error).message}). They are kept in ${file} and tried again at the next start; to restore by hand, write ${JSON.stringify(saved.settings)} into ${saved.dir}, then remove that file.`,
    );
  }
  return restoreUnmerges(writes);
}

export interface KsmGuard {
  sysfs: KsmSysfs;
  /** Where the host's settings are kept during a run. */
  file: string;
  /**
   * Records the host's settings before anything changes and holds them for one run.
   * Refuses (KsmBusyError) while another live process holds them; restores first what a dead one left.
   */
  take(): Promise<KsmLease>;
  /** At start: puts back what a run of a process that died left changed. Returns what it did, or null. */
  recover(): Promise<string | null>;
}

export function createKsmGuard(opts: { sysfsDir: string; file: string }): KsmGuard {
  const sysfs = new KsmSysfs(opts.sysfsDir);
  const { file } = opts;

  function readSaved(): Saved | null {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    const parsed = SavedSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${file} is not a saved KSM record: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  async function recover(): Promise<string | null> {
    let saved: Saved | null;
    try {
      saved = readSaved();
    } catch (err) {
      throw new KsmBusyError(
        `${(err as Error).message}. Check the host's KSM settings in ${opts.sysfsDir} by hand, then remove ${file} to run KSM experiments again.`,
      );
    }
    if (!saved || ownerAlive(saved.owner)) return null;
    if (saved.bootId !== readBootId()) {
      fs.rmSync(file, { force: true });
      return `the host rebooted since a KSM run (${saved.savedAt}) changed ${saved.dir}; the boot's own settings were left as they are`;
    }
    const unmerged = await restoreSaved(saved, file);
    fs.rmSync(file, { force: true });
    return `restored the KSM settings a run that stopped (${saved.savedAt}) had changed in ${saved.dir}: run ${saved.settings.run}, pages_to_scan ${saved.settings.pages_to_scan}, sleep_millisecs ${saved.settings.sleep_millisecs}${unmerged ? " (merged pages unmerged)" : ""}`;
  }

  async function take(): Promise<KsmLease> {
    const left = await recover();
    if (left) console.log(`[isolab] ${left}`);
    const holder = readSaved();
    if (holder) {
      throw new KsmBusyError(
        `Another KSM run (process ${holder.owner.split(":")[0]}, since ${holder.savedAt}) has changed ${holder.dir}; wait for it to finish.`,
        { owner: holder.owner },
      );
    }
    const settings = sysfs.readSettings();
    const saved: Saved = {
      version: 1,
      owner: processOwner(),
      bootId: readBootId(),
      dir: sysfs.dir,
      settings,
      pagesSharedBefore: sysfs.readCounters().pages_shared ?? 0,
      savedAt: new Date().toISOString(),
    };
    writeExclusive(file, JSON.stringify(saved));
    return new KsmLease(file, saved, sysfs);
  }

  return { sysfs, file, take, recover };
}

/** Complete and on disk before it is visible, and only if no one else's is there (link fails with EEXIST). */
function writeExclusive(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new KsmBusyError(`Another KSM run has just taken ${file}; wait for it to finish.`);
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
