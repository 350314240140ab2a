import { z } from "zod";

// What `runc state ID` and `runc list --format json` print (crun prints the
// same fields). Raw shapes are named after runc; server/container/ maps them
// to `ContainerState` once.

export const RuncStatusSchema = z.enum(["creating", "created", "running", "stopped", "paused"]);

export const RuncStateSchema = z.object({
  ociVersion: z.string().optional(),
  id: z.string(),
  /** 0 once the container's init has died. */
  pid: z.number().int().nonnegative(),
  status: RuncStatusSchema,
  bundle: z.string(),
  rootfs: z.string().optional(),
  created: z.string(),
  owner: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type RuncState = z.infer<typeof RuncStateSchema>;

// runc prints `null`, not `[]`, when its root holds no containers.
export const RuncListSchema = z
  .array(RuncStateSchema)
  .nullable()
  .transform((list) => list ?? []);
export type RuncList = z.infer<typeof RuncListSchema>;
