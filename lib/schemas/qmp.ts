import { z } from "zod";

// Raw QMP wire shapes (docs/interop/qmp-spec.rst), named after their source.
// Every message QEMU sends is parsed with these; nothing is cast.

export const QmpGreeting = z.object({
  QMP: z.object({
    version: z.object({
      qemu: z.object({ major: z.number(), minor: z.number(), micro: z.number() }),
      package: z.string(),
    }),
    capabilities: z.array(z.string()),
  }),
});
export type QmpGreeting = z.infer<typeof QmpGreeting>;

const QmpId = z.union([z.number(), z.string()]);

// `return: z.unknown()` would also accept a missing key, so the client picks
// the schema by which key is present (return / error / event) first.
export const QmpReturnReply = z.object({ return: z.unknown(), id: QmpId.optional() });
export type QmpReturnReply = z.infer<typeof QmpReturnReply>;

export const QmpErrorReply = z.object({
  error: z.object({ class: z.string(), desc: z.string() }),
  id: QmpId.optional(),
});
export type QmpErrorReply = z.infer<typeof QmpErrorReply>;

export const QmpEvent = z.object({
  event: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  timestamp: z.object({ seconds: z.number(), microseconds: z.number() }),
});
export type QmpEvent = z.infer<typeof QmpEvent>;

/** `query-status` → return. */
export const QmpStatusReply = z.object({
  status: z.string(),
  running: z.boolean(),
  singlestep: z.boolean().optional(),
});
export type QmpStatusReply = z.infer<typeof QmpStatusReply>;

/** `query-version` → return. */
export const QmpVersionReply = z.object({
  qemu: z.object({ major: z.number(), minor: z.number(), micro: z.number() }),
  package: z.string(),
});
export type QmpVersionReply = z.infer<typeof QmpVersionReply>;

/** `query-balloon` → return. */
export const QmpBalloonReply = z.object({ actual: z.number() });
export type QmpBalloonReply = z.infer<typeof QmpBalloonReply>;

/** `query-migrate` → return (snapshots save through `migrate`). */
export const QmpMigrateReply = z.looseObject({
  status: z.string().optional(),
  "error-desc": z.string().optional(),
});
export type QmpMigrateReply = z.infer<typeof QmpMigrateReply>;
