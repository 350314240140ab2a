// Kernel samepage merging (KSM) as /sys/kernel/mm/ksm shows it: the tunables
// the KSM experiment changes for its run and puts back after, the counters it
// samples, and the order of the writes. Pure: the reader and writer is
// server/host/ksm-sysfs.ts.

/** The files a KSM run writes, and so records before and restores after. `advisor_mode` only where the kernel has it (6.8+). */
export const KSM_TUNABLES = ["run", "pages_to_scan", "sleep_millisecs", "advisor_mode"] as const;
export type KsmTunable = (typeof KSM_TUNABLES)[number];

/** The counters a run samples; the last three only where the kernel has them (zero pages 6.1+, profit 6.7+). */
export const KSM_COUNTERS = [
  "pages_shared",
  "pages_sharing",
  "pages_unshared",
  "pages_volatile",
  "full_scans",
  "ksm_zero_pages",
  "general_profit",
  "use_zero_pages",
] as const;
export type KsmCounter = (typeof KSM_COUNTERS)[number];

/** `run`: 0 stops ksmd and leaves merged pages merged; 1 runs it; 2 stops it and unmerges every merged page. */
export const KSM_RUN = { stop: 0, merge: 1, unmerge: 2 } as const;

export interface KsmSettings {
  run: number;
  pages_to_scan: number;
  sleep_millisecs: number;
  /** "none" or "scan-time"; absent on kernels without the advisor. */
  advisor_mode?: string;
}

export type KsmCounters = Partial<Record<KsmCounter, number>>;

/** One file → its value: a number, or the bracketed choice of a list ("[none] scan-time" → "none"). */
export function parseKsmValue(text: string): number | string {
  const t = text.trim();
  const chosen = /\[([^\]]+)\]/.exec(t);
  if (chosen) return chosen[1];
  if (!/^-?\d+$/.test(t)) throw new Error(`not a KSM value: ${JSON.stringify(t.slice(0, 40))}`);
  return Number(t);
}

/** The tunables out of the files read; throws naming the first one missing or malformed. */
export function parseKsmSettings(files: Readonly<Record<string, string>>): KsmSettings {
  const num = (name: "run" | "pages_to_scan" | "sleep_millisecs") => {
    const text = files[name];
    if (text === undefined) throw new Error(`${name} is missing`);
    const v = parseKsmValue(text);
    if (typeof v !== "number") throw new Error(`${name} is not a number: ${JSON.stringify(text.trim())}`);
    return v;
  };
  const advisor = files.advisor_mode === undefined ? undefined : parseKsmValue(files.advisor_mode);
  return {
    run: num("run"),
    pages_to_scan: num("pages_to_scan"),
    sleep_millisecs: num("sleep_millisecs"),
    ...(advisor === undefined ? {} : { advisor_mode: String(advisor) }),
  };
}

export function parseKsmCounters(files: Readonly<Record<string, string>>): KsmCounters {
  const out: KsmCounters = {};
  for (const name of KSM_COUNTERS) {
    const text = files[name];
    if (text === undefined) continue;
    const v = parseKsmValue(text);
    if (typeof v === "number") out[name] = v;
  }
  return out;
}

export type KsmWrite = readonly [KsmTunable, string];

/**
 * The writes that turn KSM on at a run's scan rate. The advisor first: while
 * it runs, the kernel refuses a pages_to_scan of anyone else (EINVAL). `run`
 * last, so ksmd starts at the new rate.
 */
export function applyWrites(current: KsmSettings, rate: { pagesToScan: number; sleepMs: number }): KsmWrite[] {
  return [
    ...(current.advisor_mode !== undefined && current.advisor_mode !== "none" ? [["advisor_mode", "none"] as const] : []),
    ["pages_to_scan", String(rate.pagesToScan)],
    ["sleep_millisecs", String(rate.sleepMs)],
    ["run", String(KSM_RUN.merge)],
  ];
}

/**
 * The writes that put the host back as it was. When the host had KSM off with nothing merged, `run` goes to 2 first — the
 * kernel unmerges every page it merged meanwhile (a stop alone leaves them
 * merged, and copy-on-write splits them only as they are written) — and then
 * to 0. A host that had pages merged while stopped keeps them merged: its 0
 * is written alone, as unmerging there would undo more than this run did.
 * The rate is written before the advisor (which refuses it while it runs)
 * and `run` 1 last, so ksmd starts again at the host's own rate.
 */
export function restoreWrites(saved: KsmSettings, pagesSharedBefore: number): KsmWrite[] {
  const rate: KsmWrite[] = [
    ["pages_to_scan", String(saved.pages_to_scan)],
    ["sleep_millisecs", String(saved.sleep_millisecs)],
    ...(saved.advisor_mode !== undefined ? [["advisor_mode", saved.advisor_mode] as const] : []),
  ];
  if (saved.run === KSM_RUN.merge) return [...rate, ["run", String(KSM_RUN.merge)]];
  const unmerge = saved.run === KSM_RUN.unmerge || pagesSharedBefore === 0;
  return [...(unmerge ? [["run", String(KSM_RUN.unmerge)] as const] : []), ["run", String(saved.run)], ...rate];
}

/** Whether writing `restoreWrites` unmerges (run = 2 at some point). */
export function restoreUnmerges(writes: readonly KsmWrite[]): boolean {
  return writes.some(([f, v]) => f === "run" && v === String(KSM_RUN.unmerge));
}

/**
 * Each tunable that differs between what was saved and what the host now
 * has, in words; empty when equal. While the advisor runs it sets
 * pages_to_scan itself, so that one is not compared then.
 */
export function settingsDiff(saved: KsmSettings, now: KsmSettings): string[] {
  const advised = saved.advisor_mode !== undefined && saved.advisor_mode !== "none";
  const out: string[] = [];
  for (const k of KSM_TUNABLES) {
    if (saved[k] === undefined || (advised && k === "pages_to_scan")) continue;
    if (saved[k] !== now[k]) out.push(`${k} is ${now[k] ?? "absent"}, was ${saved[k]}`);
  }
  return out;
}

/**
 * Why KSM cannot be used, from what checking `<dir>/run` gave: no such file
 * (ENOENT: the kernel has no KSM, or sysfs is elsewhere), a read-only mount
 * (EROFS: a container's /sys), no permission (EACCES, EPERM: not root). Each
 * says how to fix it.
 */
export function ksmUnavailableReason(dir: string, code: string | undefined): string {
  const run = `${dir}/run`;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return `${run} does not exist: this kernel was built without CONFIG_KSM, or sysfs is not mounted there. Boot a kernel with CONFIG_KSM=y (most distribution kernels have it) to run this experiment.`;
    case "EROFS":
      return `${dir} is on a read-only file system (EROFS), as /sys is inside a container. Run Isolab on the host, or give its container a writable /sys (privileged), to run this experiment.`;
    case "EACCES":
    case "EPERM":
      return `${run} cannot be written (${code}): KSM's settings are root's. Run Isolab as root to run this experiment.`;
    default:
      return `${run} cannot be used (${code ?? "unknown error"}).`;
  }
}
