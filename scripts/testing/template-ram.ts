import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// Templated VMs keep their template's guest RAM in <shm>/isolab-<stateTag>-<key>.ram
// (server/vm/vm-templates.ts), by design after the clones end: the next
// templated start reuses it. A test, the e2e server or a bench over a
// temporary state directory removes them with that directory, here, even
// when its engine is gone (a server process that has exited, Playwright's
// teardown). Plain Node, without server-only, so Playwright can load it;
// template-ram.test.ts holds the names to the engine's own.

/** Where the RAM files go: ISOLAB_SHM_DIR as server/config.ts reads it, else /dev/shm. */
export const shmDirOf = (env: Record<string, string | undefined> = process.env) => path.resolve(env.ISOLAB_SHM_DIR || "/dev/shm");

/** The state directory's tag in its RAM files' names, as server/vm/vm-templates.ts stateTagOf makes it. */
export const stateTagOf = (stateDir: string) => createHash("sha256").update(path.resolve(stateDir)).digest("hex").slice(0, 10);

/** The RAM files of one state directory's templates now in `shmDir`. */
export function templateRamFiles(stateDir: string, shmDir = shmDirOf()): string[] {
  const prefix = `isolab-${stateTagOf(stateDir)}-`;
  let names: string[];
  try {
    names = fs.readdirSync(shmDir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix) && n.endsWith(".ram")).map((n) => path.join(shmDir, n));
}

/**
 * Removes one state directory's template RAM files and returns their paths.
 * Unlinking is safe under a clone still running: it keeps its mapping
 * (tmpfs frees the pages when the last one goes), as after a rebuild.
 */
export function removeTemplateRam(stateDir: string, shmDir = shmDirOf()): string[] {
  const files = templateRamFiles(stateDir, shmDir);
  for (const f of files) fs.rmSync(f, { force: true });
  return files;
}
