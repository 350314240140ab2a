import "server-only";
import fs from "node:fs";

/**
 * The supervisor's own writes under the state directory: the instance
 * directory and its instance.json. Injectable so that tests can make any one
 * of them fail (a full disk, say) without a full disk.
 */
export interface InstanceFiles {
  mkdir(dir: string): void;
  writeFile(file: string, data: string): void;
  /** Removes a directory and everything in it; a missing one is not an error. */
  remove(dir: string): void;
}

export const nodeInstanceFiles: InstanceFiles = {
  mkdir: (dir) => void fs.mkdirSync(dir, { recursive: true }),
  writeFile: (file, data) => fs.writeFileSync(file, data),
  remove: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
};
