import "server-only";
import fs from "node:fs";
import path from "node:path";

/** Where a program would run from: a path as given (resolved), else the first executable on PATH; undefined when none. */
export function findOnPath(binary: string, envPath = process.env.PATH ?? ""): string | undefined {
  if (binary.includes("/")) return path.resolve(binary);
  for (const dir of envPath.split(":").filter(Boolean)) {
    const p = path.join(dir, binary);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
