import { z } from "zod";
import { CAPABILITY_NAMES, decodeCapabilities } from "./capabilities";

// What confines a process, as its kernel says in /proc/<pid>/status and
// uid_map: read inside an instance by `probe info` (the `confinement`
// object, guest/probe/info.c) or on the host for the process that carries
// it (a container's init, QEMU). Pure: parsing and the words the UI shows.

export const ConfinementSchema = z.object({
  /** First line of uid_map: "inside outside count". */
  uidMap: z.string().max(64).optional(),
  gidMap: z.string().max(64).optional(),
  /** Real uid as this process's own namespace sees it. */
  uid: z.number().int().nonnegative().optional(),
  /** 0 none, 1 strict, 2 filter. */
  seccomp: z.number().int().min(0).max(2).optional(),
  capEff: z
    .string()
    .regex(/^[0-9a-fA-F]{1,16}$/)
    .optional(),
  capBnd: z
    .string()
    .regex(/^[0-9a-fA-F]{1,16}$/)
    .optional(),
  noNewPrivs: z.number().int().min(0).max(1).optional(),
});
export type Confinement = z.infer<typeof ConfinementSchema>;

/** The same fields from a host-side /proc/<pid>/status and uid_map, gid_map. */
export function confinementFromProc(status: string, uidMap: string, gidMap: string): Confinement {
  const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, "m").exec(status)?.[1]?.trim();
  const num = (key: string) => {
    const v = field(key);
    return v === undefined ? undefined : Number.parseInt(v, 10);
  };
  const firstLine = (t: string) => t.trim().split("\n")[0]?.trim().split(/\s+/).join(" ") || undefined;
  const uid = field("Uid")?.split(/\s+/)[0];
  return ConfinementSchema.parse({
    uidMap: firstLine(uidMap),
    gidMap: firstLine(gidMap),
    uid: uid === undefined ? undefined : Number(uid),
    seccomp: num("Seccomp"),
    capEff: field("CapEff"),
    capBnd: field("CapBnd"),
    noNewPrivs: num("NoNewPrivs"),
  });
}

const SECCOMP_MODES = ["0 — no filter", "1 — strict", "2 — filter"];

export function describeSeccomp(mode: number | undefined): string {
  return mode === undefined ? "not reported" : (SECCOMP_MODES[mode] ?? String(mode));
}

/** "0 700000000 65536" → "root → host 700000000 (65536 ids)"; the identity map says root is host root. */
export function describeUidMap(map: string | undefined): string {
  if (!map) return "not reported";
  const [inside, outside, count] = map.split(" ").map(Number);
  if (inside === 0 && outside === 0 && count === 4294967295) return "0 0 4294967295 — root is host root";
  return `${map} — ${inside === 0 ? "root" : `id ${inside}`} is host ${outside} (${count} ids)`;
}

/** Decoded names; the full set and "all but …" said briefly. */
export function describeCapabilities(hex: string | undefined): string {
  if (hex === undefined) return "not reported";
  const names = decodeCapabilities(hex);
  if (names === null) return hex;
  if (names.length === 0) return "none";
  const known = CAPABILITY_NAMES.filter((c) => names.includes(c));
  if (known.length === CAPABILITY_NAMES.length) return `all ${known.length}`;
  if (known.length >= CAPABILITY_NAMES.length - 5) {
    return `all but ${CAPABILITY_NAMES.filter((c) => !names.includes(c))
      .map((c) => c.slice(4))
      .join(", ")} (${known.length})`;
  }
  return names.map((c) => c.replace(/^CAP_/, "")).join(", ");
}

export function describeNoNewPrivs(v: number | undefined): string {
  return v === undefined ? "not reported" : v === 1 ? "on — setuid cannot raise privileges" : "off";
}

export interface ConfinementRow {
  key: string;
  label: string;
  value: (c: Confinement) => string;
}

/** The rows "What it sees" shows, in order. */
export const CONFINEMENT_ROWS: ConfinementRow[] = [
  { key: "uidMap", label: "User namespace (uid map)", value: (c) => describeUidMap(c.uidMap) },
  { key: "uid", label: "Its uid (own namespace)", value: (c) => (c.uid === undefined ? "not reported" : String(c.uid)) },
  { key: "seccomp", label: "Seccomp mode", value: (c) => describeSeccomp(c.seccomp) },
  { key: "capEff", label: "Capabilities (effective)", value: (c) => describeCapabilities(c.capEff) },
  { key: "capBnd", label: "Capabilities (bounding)", value: (c) => describeCapabilities(c.capBnd) },
  { key: "noNewPrivs", label: "no_new_privs", value: (c) => describeNoNewPrivs(c.noNewPrivs) },
];
