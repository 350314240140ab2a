// Pure parsers for /proc/<pid>/stat and /proc/<pid>/smaps_rollup: the host
// view of a process (the bare probe or QEMU with all its threads).

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  /** User and system CPU of every thread of the process, in clock ticks. */
  utimeTicks: number;
  stimeTicks: number;
  numThreads: number;
  /** Start time after boot in clock ticks: with the pid, names a process uniquely. */
  startTicks: number;
  rssPages: number;
}

/** Fields after `comm` are space-separated; comm itself may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error("not a /proc/<pid>/stat line");
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field k is rest[k - 3].
  const field = (k: number) => {
    const v = Number(rest[k - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat field ${k} is not a number`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0],
    utimeTicks: field(14),
    stimeTicks: field(15),
    numThreads: field(20),
    startTicks: field(22),
    rssPages: field(24),
  };
}

export interface SmapsRollup {
  rssBytes: number;
  pssBytes: number;
}

export function parseSmapsRollup(text: string): SmapsRollup {
  const kib = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    if (!m) throw new Error(`smaps_rollup has no ${key} line`);
    return Number(m[1]) * 1024;
  };
  return { rssBytes: kib("Rss"), pssBytes: kib("Pss") };
}

/** CPU used between two readings as % of one core (100 = one core busy the whole time). */
export function cpuPercent(prevCpuNs: number, nextCpuNs: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) return NaN;
  return (Math.max(0, nextCpuNs - prevCpuNs) / 1e6 / elapsedMs) * 100;
}
