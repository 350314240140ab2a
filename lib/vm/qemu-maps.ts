// A templated VM's guest RAM is its template's file on tmpfs, mapped
// privately (server/vm/vm-templates.ts): in /proc/<qemu pid>/maps it is the
// file-backed mapping exactly the size of `-m`. Finding it there names the
// template a running clone uses — even one a rebuild has since unlinked,
// which the kernel marks " (deleted)". Pure; fixtures in qemu-maps.test.ts.

export interface MappedRamFile {
  /** The file's path as the kernel names it, without " (deleted)". */
  path: string;
  /** "start-end" in hex, the name of its link under /proc/<pid>/map_files/. */
  range: string;
  /** A rebuild unlinked it; the clone still maps it, so its pages still cost memory. */
  deleted: boolean;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\/.*)$/;
const DELETED = " (deleted)";

/** null when QEMU maps no file of exactly guestMiB (a cold or warm VM's guest RAM is anonymous). */
export function guestRamFile(maps: string, guestMiB: number): MappedRamFile | null {
  const want = BigInt(guestMiB) * 1024n * 1024n;
  for (const line of maps.split("\n")) {
    const m = LINE.exec(line.trimEnd());
    if (!m || m[3] === "0") continue;
    if (BigInt(`0x${m[2]}`) - BigInt(`0x${m[1]}`) !== want) continue;
    const deleted = m[4].endsWith(DELETED);
    return { path: deleted ? m[4].slice(0, -DELETED.length) : m[4], range: `${m[1]}-${m[2]}`, deleted };
  }
  return null;
}
