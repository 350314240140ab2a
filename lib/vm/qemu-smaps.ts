// QEMU's resident memory split into the guest's RAM and QEMU's own, from
// /proc/<qemu pid>/smaps: the guest's RAM is one anonymous private mapping
// exactly the size of `-m`. Pure; fixtures in qemu-smaps.test.ts.

export interface QemuMemorySplit {
  /** Resident pages of the guest's RAM mapping: what the guest has touched. */
  guestRamRssBytes: number;
  /** Everything else QEMU has resident: its code, heap, TCG translation cache, mapped kernel file. */
  otherRssBytes: number;
  totalRssBytes: number;
}

const HEADER = /^[0-9a-f]+-[0-9a-f]+\s+(\S+)\s+\S+\s+\S+\s+(\d+)\s*(.*)$/;

/** null when no anonymous mapping of exactly guestMiB is found. */
export function splitQemuMemory(smaps: string, guestMiB: number): QemuMemorySplit | null {
  const wantKiB = guestMiB * 1024;
  let total = 0;
  let guest = -1;
  let current: { anon: boolean; sizeKiB?: number } | null = null;
  for (const line of smaps.split("\n")) {
    const h = HEADER.exec(line);
    if (h) {
      current = { anon: h[2] === "0" && h[3].trim() === "" && h[1].startsWith("rw") };
      continue;
    }
    const m = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (!m || !current) continue;
    const kib = Number(m[2]);
    if (m[1] === "Size") current.sizeKiB = kib;
    else {
      total += kib;
      if (current.anon && current.sizeKiB === wantKiB && kib > guest) guest = kib;
    }
  }
  if (guest < 0) return null;
  return { guestRamRssBytes: guest * 1024, otherRssBytes: (total - guest) * 1024, totalRssBytes: total * 1024 };
}
