import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContainerTrial } from "@/lib/host/doctor";
import { createEngines } from "@/server/app/create-app";
import type { IsolabConfig } from "@/server/config";
import { isIsolabError } from "@/server/errors";
import { getImage } from "@/server/images/store";

// Whether a runtime can really start a container here: the container engine
// Isolab itself uses, with the probe image, one tiny container, then removed.

export async function tryContainer(config: IsolabConfig, runtime: "runc" | "crun", imageBuilt: boolean): Promise<ContainerTrial> {
  if (!imageBuilt) return { ok: false, error: "the probe image is not built (npm run setup)" };
  // A state directory of its own: the trial's runtime root, bundle and logs never mix with the server's.
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-doctor-"));
  const engine = createEngines({
    ...config,
    stateDir,
    dbPath: path.join(stateDir, "isolab.db"),
    imageStoreDir: path.join(stateDir, "image-store"),
    ociRuntime: runtime,
  }).container;
  const id = `doctor-${runtime}-${process.pid}`;
  try {
    await engine.check();
    const image = await getImage("probe");
    const handle = await engine.start({ id, name: id, image, memoryMiB: 64, cpus: 1, dir: path.join(stateDir, "instances", id), readyTimeoutMs: 20_000 });
    await handle.stop();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: trialError(err) };
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The engine's message plus the runtime's last words (its log tail), which say why. */
function trialError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const details = isIsolabError(err) ? (err.details as { consoleTail?: unknown } | undefined) : undefined;
  const tail = typeof details?.consoleTail === "string" ? details.consoleTail.trim().split("\n").filter(Boolean).slice(-2).join("; ") : "";
  return tail && !message.includes(tail) ? `${message} (${tail})` : message;
}
