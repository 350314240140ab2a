import "server-only";
import fs from "node:fs";
import { parseKbLines, parseProcStat, CLOCK_TICKS_PER_SECOND } from "@/lib/host/procfs";
import { savedBytes } from "@/lib/experiments/ksm/summary";
import type { KsmSettings } from "@/lib/host/ksm";
import type { KsmSysfs } from "@/server/host/ksm-sysfs";
import { procReaders } from "@/server/metrics/readers";

// One reading of a KSM run: the kernel's counters, the host's MemAvailable,
// the run's QEMUs (PSS, RSS, pages merged) and ksmd's CPU time, as the
// sample values lib/experiments/ksm/types.ts lists.

const read = (file: string) => fs.readFileSync(file, "utf8");

let pageSize: number | undefined;
/** The kernel's base page size, from this process's own first mapping (4 KiB on x86-64). */
export function hostPageSize(): number {
  if (pageSize === undefined) {
    const m = /^KernelPageSize:\s+(\d+) kB/m.exec(read("/proc/self/smaps"));
    pageSize = m ? Number(m[1]) * 1024 : 4096;
  }
  return pageSize;
}

/** ksmd's pid: a kernel thread, found by its name; undefined when there is none. */
export function findKsmd(): number | undefined {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (read(`/proc/${entry}/comm`).trim() === "ksmd") return Number(entry);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return undefined;
}

function ksmdCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const s = parseProcStat(read(`/proc/${pid}/stat`));
    return ((s.utimeTicks + s.stimeTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** /proc/<pid>/ksm_merging_pages (5.19+); undefined where the kernel does not have it. */
function mergingPages(pid: number): number | undefined {
  try {
    return Number(read(`/proc/${pid}/ksm_merging_pages`).trim());
  } catch {
    return undefined;
  }
}

/** Sample values of one reading; throws when a VM's QEMU is gone. */
export function readKsmValues(sysfs: KsmSysfs, qemuPids: readonly number[], ksmd: number | undefined): Record<string, number> {
  const c = sysfs.readCounters();
  const page = hostPageSize();
  const values: Record<string, number> = {
    page_size_bytes: page,
    pages_shared: c.pages_shared ?? 0,
    pages_sharing: c.pages_sharing ?? 0,
    pages_unshared: c.pages_unshared ?? 0,
    pages_volatile: c.pages_volatile ?? 0,
    full_scans: c.full_scans ?? 0,
    saved_bytes: savedBytes(c.pages_sharing ?? 0, c.ksm_zero_pages, page),
    mem_available_bytes: parseKbLines(read("/proc/meminfo")).MemAvailable ?? 0,
    vms: qemuPids.length,
    vms_pss_bytes: 0,
    vms_rss_bytes: 0,
  };
  if (c.ksm_zero_pages !== undefined) values.ksm_zero_pages = c.ksm_zero_pages;
  if (c.general_profit !== undefined) values.general_profit_bytes = c.general_profit;
  let merging: number | undefined = 0;
  for (const pid of qemuPids) {
    const m = procReaders.smapsRollup(pid);
    values.vms_pss_bytes += m.pssBytes;
    values.vms_rss_bytes += m.rssBytes;
    const pages = mergingPages(pid);
    merging = pages === undefined || merging === undefined ? undefined : merging + pages;
  }
  if (merging !== undefined) values.vms_merging_pages = merging;
  const cpu = ksmdCpuMs(ksmd);
  if (cpu !== undefined) values.ksmd_cpu_ms = cpu;
  return values;
}

/** The tunables as sample values (the `ksm-host` samples). */
export function settingsValues(s: KsmSettings): Record<string, number> {
  return {
    run: s.run,
    pages_to_scan: s.pages_to_scan,
    sleep_millisecs: s.sleep_millisecs,
    ...(s.advisor_mode !== undefined ? { advisor_scan_time: s.advisor_mode === "none" ? 0 : 1 } : {}),
  };
}
