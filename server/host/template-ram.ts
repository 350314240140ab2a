import "server-only";
import fs from "node:fs";
import path from "node:path";
import { guestRamFile } from "@/lib/vm/qemu-maps";

// What a shared-memory template's RAM file (server/vm/vm-templates.ts) holds
// of the host's memory. The file lives on tmpfs, so its allocated blocks are
// page cache the kernel cannot drop (no swap here): real memory, paid once
// however many clones map it. Read-only; Figure 2.1 and the density run use it.

export interface RamFileReading {
  /** The file's path (for an unlinked one, the path it had). */
  path: string;
  /** A rebuild unlinked it while a clone still maps it. */
  deleted: boolean;
  /** st_size: the guest RAM it can hold. */
  sizeBytes: number;
  /** st_blocks × 512: what tmpfs holds for it now. */
  residentBytes: number;
}

function statRam(file: string): Pick<RamFileReading, "sizeBytes" | "residentBytes"> {
  const st = fs.statSync(file);
  return { sizeBytes: st.size, residentBytes: st.blocks * 512 };
}

/**
 * The template RAM file QEMU `pid` maps as its guest RAM, or null (a cold or
 * warm VM's guest RAM is anonymous). Measured through /proc/<pid>/map_files,
 * which reaches a file a rebuild has unlinked; by its path when that link is closed.
 */
export function mappedRamFile(pid: number, guestMiB: number): RamFileReading | null {
  const f = guestRamFile(fs.readFileSync(`/proc/${pid}/maps`, "utf8"), guestMiB);
  if (!f) return null;
  try {
    return { path: f.path, deleted: f.deleted, ...statRam(`/proc/${pid}/map_files/${f.range}`) };
  } catch {
    return f.deleted ? null : { path: f.path, deleted: false, ...statRam(f.path) };
  }
}

/** The RAM files in `shmDir` whose names start with `prefix` (one state directory's, vm-templates.ts ramFileName); [] when it cannot be read. */
export function listRamFiles(shmDir: string, prefix: string): RamFileReading[] {
  let names: string[];
  try {
    names = fs.readdirSync(shmDir);
  } catch {
    return [];
  }
  const out: RamFileReading[] = [];
  for (const name of names.filter((n) => n.startsWith(prefix) && n.endsWith(".ram")).sort()) {
    try {
      out.push({ path: path.join(shmDir, name), deleted: false, ...statRam(path.join(shmDir, name)) });
    } catch {
      // removed between the listing and the stat (a rebuild, a test's clean-up)
    }
  }
  return out;
}
