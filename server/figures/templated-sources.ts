import "server-only";
import fs from "node:fs";
import type { Instance } from "@/lib/core/types";
import { parseSmapsRollup, type SmapsRollup } from "@/lib/host/procfs";
import { cloneFacts, isClone, poolFacts, templateFiles, type CloneSeen } from "@/lib/figures/templated-facts";
import type { CloneFacts, Fig21Templated } from "@/lib/schemas/figures";
import type { App } from "@/server/app/create-app";
import { listRamFiles, mappedRamFile } from "@/server/host/template-ram";
import { ramFileName, stateTagOf } from "@/server/vm/vm-templates";

// Templated VMs as the host sees them now, for Figure 2.1's third host:
// each running clone's RAM file and smaps_rollup, this Isolab's template
// RAM files on the tmpfs, the warm pool's waiting QEMUs. Read-only; what
// cannot be read is left out (a clone that ended between the list and the read).

function rollupOf(pid: number): SmapsRollup | null {
  try {
    return parseSmapsRollup(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  } catch {
    return null;
  }
}

function seen(i: Instance): CloneSeen | null {
  if (!i.pid) return null;
  let ramFile = null;
  try {
    ramFile = mappedRamFile(i.pid, i.memoryMiB);
  } catch {
    // ended meanwhile
  }
  return { pid: i.pid, ramFile, rollup: rollupOf(i.pid) };
}

export function templatedSources(
  app: Pick<App, "config" | "engines">,
  list: readonly Instance[],
  now: string,
): { clones: Map<string, CloneFacts | null>; files: Fig21Templated["files"]; pool: Fig21Templated["pool"] } {
  const running = list.filter((i) => i.state === "running" && isClone(i));
  const readings = running.map((i) => ({ id: i.id, seen: seen(i) }));
  const clones = new Map(readings.map((r) => [r.id, r.seen ? cloneFacts(r.seen, now) : null]));
  // This state directory's files (vm-templates.ts names them), so another Isolab's stay "other".
  const prefix = ramFileName(stateTagOf(app.config.stateDir), "").replace(/\.ram$/, "");
  const files = templateFiles(
    listRamFiles(app.config.vm?.shmDir ?? app.config.shmDir, prefix),
    readings.flatMap((r) => (r.seen ? [r.seen] : [])),
    now,
  );
  const poolPids = app.engines.vm.templated.pool.status().flatMap((s) => s.pids);
  return { clones, files, pool: poolFacts(poolPids.map(rollupOf), now) };
}
