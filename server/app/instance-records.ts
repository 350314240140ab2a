import "server-only";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { INSTANCE_KINDS, type Instance } from "@/lib/core/types";

// A command that runs beside the server (scripts/image.ts) cannot ask the
// server's supervisor what runs; it reads the record the supervisor keeps
// of each instance (<stateDir>/instances/<id>/instance.json) instead.

const RecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(INSTANCE_KINDS),
    image: z.string(),
    state: z.enum(["creating", "running", "stopping", "stopped", "exited", "failed"]),
    memoryMiB: z.number(),
    cpus: z.number(),
    createdAt: z.string(),
  })
  .passthrough();

/** The instances recorded under each state directory; a record that is missing or unreadable is skipped. */
export function recordedInstances(stateDirs: string[]): Instance[] {
  const found: Instance[] = [];
  for (const stateDir of stateDirs) {
    const root = path.join(stateDir, "instances");
    for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      let text: string;
      try {
        text = fs.readFileSync(path.join(root, id, "instance.json"), "utf8");
      } catch {
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        continue;
      }
      const parsed = RecordSchema.safeParse(json);
      if (parsed.success) found.push(parsed.data);
    }
  }
  return found;
}
