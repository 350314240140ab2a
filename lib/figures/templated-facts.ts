import { formatBytes } from "@/lib/core/format";
import type { SmapsRollup } from "@/lib/host/procfs";
import type { CloneFacts, Fig21Templated, TemplateFileFact } from "@/lib/schemas/figures";

// Readings of templated VMs (their QEMU's maps and smaps_rollup, the
// template RAM files on tmpfs) → the facts Figure 2.1's templated host is
// drawn from, each with its source. Pure; server/figures/templated-sources.ts reads.

/** A VM cloned from a shared-memory template: started as `template`, or taken from the warm pool (`pooled`). */
export const isClone = (i: { kind: string; startMode?: string }) => i.kind === "vm" && (i.startMode === "template" || i.startMode === "pooled");

/** A template RAM file as stat saw it (server/host/template-ram.ts). */
export interface RamFileSeen {
  path: string;
  deleted: boolean;
  sizeBytes: number;
  residentBytes: number;
}

export interface CloneSeen {
  pid: number;
  /** The RAM file it maps as guest RAM; null when none was found. */
  ramFile: RamFileSeen | null;
  rollup: SmapsRollup | null;
}

/**
 * What a clone costs beyond its template: PSS less its share of shared
 * memory (Pss_Shmem). null without the split (a kernel before 5.7) or the file:
 * then its PSS would count part of the template a second time.
 */
export function cloneFacts(c: CloneSeen, at: string): CloneFacts | null {
  if (!c.ramFile || !c.rollup || c.rollup.pssShmemBytes === undefined) return null;
  const { pssBytes, pssShmemBytes } = c.rollup;
  return {
    ramFile: c.ramFile.path,
    pssBytes,
    shareOfTemplateBytes: pssShmemBytes,
    private: {
      value: Math.max(0, pssBytes - pssShmemBytes),
      source: `PSS ${formatBytes(pssBytes)} − its share of the template file ${formatBytes(pssShmemBytes)} (Pss_Shmem), smaps_rollup of QEMU pid ${c.pid}`,
      at,
    },
  };
}

const keyOf = (f: Pick<RamFileSeen, "path" | "deleted">) => `${f.deleted ? "deleted:" : ""}${f.path}`;

/** Every template file once: those listed on the tmpfs and those clones map (a rebuilt one lives on unlinked), with the clones mapping each. */
export function templateFiles(listed: readonly RamFileSeen[], clones: readonly CloneSeen[], at: string): TemplateFileFact[] {
  const files = new Map<string, TemplateFileFact>();
  const add = (f: RamFileSeen) => {
    const k = keyOf(f);
    if (files.has(k)) return;
    const name = f.path.slice(f.path.lastIndexOf("/") + 1);
    files.set(k, {
      path: f.path,
      deleted: f.deleted,
      sizeBytes: f.sizeBytes,
      resident: {
        value: f.residentBytes,
        source: `what tmpfs holds for ${name} (stat st_blocks × 512, of ${formatBytes(f.sizeBytes)})${f.deleted ? "; unlinked by a rebuild, still mapped by a clone" : ""}`,
        at,
      },
      clones: 0,
    });
  };
  for (const f of listed) add(f);
  for (const c of clones) {
    if (!c.ramFile) continue;
    add(c.ramFile);
    files.get(keyOf(c.ramFile))!.clones++;
  }
  return [...files.values()];
}

/** The warm pool's waiting clones: their cost beyond the template, summed; null with none waiting or none readable. */
export function poolFacts(rollups: readonly (SmapsRollup | null)[], at: string): Fig21Templated["pool"] {
  const read = rollups.filter((r): r is SmapsRollup & { pssShmemBytes: number } => r !== null && r.pssShmemBytes !== undefined);
  if (read.length === 0) return null;
  const value = read.reduce((a, r) => a + Math.max(0, r.pssBytes - r.pssShmemBytes), 0);
  return {
    waiting: read.length,
    private: { value, source: `PSS − Pss_Shmem of the pool's ${read.length} waiting QEMU${read.length === 1 ? "" : "s"}, smaps_rollup`, at },
  };
}
