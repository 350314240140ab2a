import { z } from "zod";

// A VM snapshot on disk (server/vm/snapshot-store.ts): the QEMU migration
// stream in `vmstate` and this metadata beside it in `meta.json`. The
// binding says exactly what the snapshot can be restored into; anything
// else is refused (lib/vm/snapshot.ts compareBinding).

export const SNAPSHOT_FORMAT = "isolab-snapshot/1";

export const SnapshotIdSchema = z.string().regex(/^s[0-9a-f]{12}$/, "not a snapshot id");

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** A file identified by content, with the cheap stat facts that say when to hash it again. */
export const FileFingerprintSchema = z.object({
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  sha256: Sha256,
});
export type FileFingerprint = z.infer<typeof FileFingerprintSchema>;

/** The machine settings a reason can name in words; the args hash covers everything else. */
export const SnapshotMachineSchema = z.object({
  memoryMiB: z.number().int().positive(),
  cpus: z.number().int().positive(),
  accel: z.enum(["kvm", "tcg"]),
});
export type SnapshotMachine = z.infer<typeof SnapshotMachineSchema>;

export const SnapshotBindingSchema = z.object({
  /** `qemu-system-x86_64 --version`, first line. */
  qemuVersion: z.string().min(1),
  machine: SnapshotMachineSchema,
  /** sha256 of the QEMU argument array with per-instance paths replaced by placeholders. */
  argsHash: Sha256,
  kernel: FileFingerprintSchema,
  /** The image by name and by the digest of the initramfs the guest booted. */
  image: z.object({ name: z.string().min(1), initramfs: FileFingerprintSchema }),
  /** Firmware file: its ROM is part of guest memory. */
  bios: FileFingerprintSchema.nullable(),
});
export type SnapshotBinding = z.infer<typeof SnapshotBindingSchema>;

export const SnapshotMetaSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  id: SnapshotIdSchema,
  createdAt: z.string(),
  /** "template": made by a warm launch; "manual": asked for through the API. */
  purpose: z.enum(["template", "manual"]),
  /** Template key (hash of the binding) for purpose "template". */
  templateKey: z.string().optional(),
  source: z.object({ instanceId: z.string().optional(), name: z.string().optional() }),
  binding: SnapshotBindingSchema,
  /** QEMU arguments with placeholders for per-instance paths (lib/vm/snapshot.ts). */
  args: z.array(z.string()).min(1),
  state: z.object({
    file: z.literal("vmstate"),
    sizeBytes: z.number().int().positive(),
    /** sha256 of the first and last 64 KiB: a truncated, padded or swapped file fails it without hashing 60 MB. */
    edgesSha256: Sha256,
  }),
  saveMs: z.number().nonnegative(),
  /** Guest uptime when it was saved; a restored guest's uptime continues from here. */
  guestUptimeSeconds: z.number().nonnegative().optional(),
  /** The guest's hostname when saved: every VM restored from it starts with this identity. */
  hostname: z.string().optional(),
  /** The agent channel's next request id, so a restored channel never reuses an id still running in the guest. */
  agentNextId: z.number().int().positive().default(1),
  ram: z.object({ totalBytes: z.number(), transferredBytes: z.number() }).optional(),
});
export type SnapshotMeta = z.infer<typeof SnapshotMetaSchema>;

/** What GET /api/snapshots lists. */
export interface SnapshotInfo {
  id: string;
  createdAt: string;
  purpose: SnapshotMeta["purpose"];
  source: SnapshotMeta["source"];
  image: string;
  memoryMiB: number;
  cpus: number;
  accel: "kvm" | "tcg";
  qemuVersion: string;
  sizeBytes: number;
  saveMs: number;
  hostname?: string;
  /** Why this host cannot restore it now (its QEMU, kernel or image changed); absent when it can. */
  stale?: string[];
}

export const CreateSnapshotSchema = z
  .object({
    /** Resume the VM after saving (default); false leaves it paused. */
    resume: z.boolean().default(true),
  })
  .strict();
export type CreateSnapshot = z.output<typeof CreateSnapshotSchema>;
