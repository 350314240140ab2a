import { z } from "zod";
import { formatBytes } from "@/lib/core/format";
import { CONFINEMENT_ROWS, ConfinementSchema, type Confinement } from "@/lib/container/confinement-view";

// The probe's `info` result (guest/README.md): what a workload sees from
// where it runs. Parsed, never cast; then compared with the host's own.

export const ProbeInfoSchema = z.object({
  hostname: z.string(),
  kernelRelease: z.string(),
  kernelVersion: z.string(),
  pid: z.number().int(),
  uptimeSeconds: z.number().nonnegative(),
  processCount: z.number().int().nonnegative(),
  processes: z.array(z.object({ pid: z.number().int(), comm: z.string() })),
  memTotalKiB: z.number().nonnegative(),
  memAvailableKiB: z.number().nonnegative(),
  cpus: z.number().int().nonnegative(),
  interfaces: z.array(z.string()),
  /** The probe's own memory from inside (VmRSS, smaps_rollup Pss); absent where its kernel could not say. */
  selfRssBytes: z.number().int().nonnegative().optional(),
  selfPssBytes: z.number().int().nonnegative().optional(),
  /** What confines the probe where it runs (uid map, seccomp, capabilities, no_new_privs); absent from older probes. */
  confinement: ConfinementSchema.optional(),
});
export type ProbeInfo = z.infer<typeof ProbeInfoSchema>;

/** The guest view the sampler keeps: memory and processes as the workload sees them. */
export interface GuestView {
  at: number;
  memUsedBytes: number;
  memTotalBytes: number;
  processCount: number;
}

export function guestViewFromInfo(info: ProbeInfo, at: number): GuestView {
  return {
    at,
    memUsedBytes: Math.max(0, info.memTotalKiB - info.memAvailableKiB) * 1024,
    memTotalBytes: info.memTotalKiB * 1024,
    processCount: info.processCount,
  };
}

/**
 * Host view − guest view, when it means something: only a guest with memory
 * of its own (a VM). A container or process reads the host's /proc/meminfo,
 * so its "used" is the whole host's and subtracting it would be nonsense.
 */
export function memoryOverhead(hostViewBytes: number, guest: GuestView | undefined, hostMemTotalBytes: number): number | undefined {
  if (!guest || guest.memTotalBytes === hostMemTotalBytes) return undefined;
  return hostViewBytes - guest.memUsedBytes;
}

export interface ViewRow {
  key: string;
  label: string;
  host: string;
  guest: string;
  differs: boolean;
  /** Why it differs, in words, when it does. */
  note?: string;
}

/** The host process that carries an instance (a container's init, QEMU, the bare probe), read from the host's /proc. */
export interface Carrier {
  pid: number;
  /** "QEMU", "the container's init", "the probe" */
  what: string;
  confinement: Confinement;
  rows: { key: string; label: string; value: string }[];
}

/** GET /api/instances/:id/views */
export interface WhatItSees {
  id: string;
  host: ProbeInfo;
  guest: ProbeInfo;
  rows: ViewRow[];
  carrier?: Carrier;
}

export function carrierRows(c: Confinement): Carrier["rows"] {
  return CONFINEMENT_ROWS.map((r) => ({ key: r.key, label: r.label, value: r.value(c) }));
}

const listOf = (xs: string[]) => (xs.length ? [...xs].sort().join(", ") : "none");

/** Side-by-side rows of what the host sees and what the instance sees. */
export function compareViews(host: ProbeInfo, guest: ProbeInfo): ViewRow[] {
  const used = (i: ProbeInfo) => formatBytes((i.memTotalKiB - i.memAvailableKiB) * 1024);
  const rows: Omit<ViewRow, "differs">[] = [
    { key: "kernelRelease", label: "Kernel release", host: host.kernelRelease, guest: guest.kernelRelease, note: "its own kernel" },
    { key: "kernelVersion", label: "Kernel build", host: host.kernelVersion, guest: guest.kernelVersion },
    { key: "hostname", label: "Hostname", host: host.hostname, guest: guest.hostname, note: "own UTS namespace or kernel" },
    {
      key: "processCount",
      label: "Visible processes",
      host: String(host.processCount),
      guest: String(guest.processCount),
      note: "own PID namespace or kernel",
    },
    { key: "probePid", label: "Its own pid", host: String(host.pid), guest: String(guest.pid) },
    {
      key: "memTotal",
      label: "Memory total",
      host: formatBytes(host.memTotalKiB * 1024),
      guest: formatBytes(guest.memTotalKiB * 1024),
      note: "its own memory",
    },
    { key: "memUsed", label: "Memory used (total − available)", host: used(host), guest: used(guest) },
    { key: "cpus", label: "CPUs", host: String(host.cpus), guest: String(guest.cpus) },
    { key: "interfaces", label: "Network interfaces", host: listOf(host.interfaces), guest: listOf(guest.interfaces), note: "own network namespace or NIC" },
    ...confinementRows(host.confinement, guest.confinement),
  ];
  return rows.map((r) => ({ ...r, differs: r.host !== r.guest, note: r.host !== r.guest ? r.note : undefined }));
}

const CONFINEMENT_NOTES: Record<string, string> = {
  uidMap: "its root is not host root",
  uid: "a uid of its own namespace",
  seccomp: "a syscall filter",
  capEff: "fewer capabilities",
  capBnd: "fewer capabilities it could ever gain",
  noNewPrivs: "setuid programs cannot raise it",
};

/** uid map, seccomp, capabilities, no_new_privs: only when the instance's probe reports them. */
function confinementRows(host: Confinement | undefined, guest: Confinement | undefined): Omit<ViewRow, "differs">[] {
  if (!guest) return [];
  return CONFINEMENT_ROWS.map((r) => ({
    key: r.key,
    label: r.label,
    host: host ? r.value(host) : "not reported",
    guest: r.value(guest),
    note: CONFINEMENT_NOTES[r.key],
  }));
}
