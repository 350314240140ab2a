// Which host ids a container's root and users become. One range for every
// confined container, as Docker's userns-remap does: the shared, read-only
// rootfs is shifted into it once per image, which a range per container
// (Podman's --userns=auto) would multiply.

export interface IdRange {
  start: number;
  count: number;
}

export interface SubIdEntry extends IdRange {
  name: string;
}

/** The account set-up creates and whose /etc/subuid, /etc/subgid lines reserve the range. */
export const ISOLAB_USER = "isolab";
/** 65536 ids: root and every 16-bit id an image may use. */
export const RANGE_SIZE = 65536;
/**
 * Used when /etc/subuid has no `isolab` line: above login.defs' default
 * SUB_UID_MAX (600 100 000), so `useradd` never hands it to a user.
 */
export const DEFAULT_RANGE: IdRange = { start: 700_000_000, count: RANGE_SIZE };

/** /etc/subuid or /etc/subgid: `name:start:count` lines. */
export function parseSubIds(text: string): SubIdEntry[] {
  const out: SubIdEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^([^:#\s][^:]*):(\d{1,10}):(\d{1,10})\s*$/.exec(line.trim());
    if (m) out.push({ name: m[1], start: Number(m[2]), count: Number(m[3]) });
  }
  return out;
}

export type RangeChoice = { ok: true; range: IdRange; source: "subid" | "default" } | { ok: false; problem: string };

/** Isolab's line if there is one (at least RANGE_SIZE ids, never 0); else the default, if no one else holds it. */
export function chooseRange(entries: SubIdEntry[], file: string): RangeChoice {
  const own = entries.find((e) => e.name === ISOLAB_USER && e.count >= RANGE_SIZE);
  if (own) {
    if (own.start === 0) return { ok: false, problem: `${file} maps ${ISOLAB_USER} from 0: that is host root` };
    return { ok: true, range: { start: own.start, count: RANGE_SIZE }, source: "subid" };
  }
  const clash = entries.find((e) => e.start < DEFAULT_RANGE.start + DEFAULT_RANGE.count && DEFAULT_RANGE.start < e.start + e.count);
  if (clash) {
    return {
      ok: false,
      problem: `${file} gives ${clash.name} ids ${clash.start}–${clash.start + clash.count - 1}, which Isolab's default range overlaps; add a line "${ISOLAB_USER}:<start>:${RANGE_SIZE}" for a free range (npm run setup does)`,
    };
  }
  return { ok: true, range: DEFAULT_RANGE, source: "default" };
}

/** The kernel's /proc/<pid>/uid_map lines → what they say, for the guest view. */
export function describeIdMap(text: string): { inside: number; outside: number; count: number }[] {
  return text
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isFinite))
    .map(([inside, outside, count]) => ({ inside, outside, count }));
}
