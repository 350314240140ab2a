import { z } from "zod";
import { INSTANCE_KINDS, VM_START_MODES } from "@/lib/core/types";

// GET /api/figures: the facts Figures 2.1–2.4 are drawn from. Every value
// carries where it was measured (`source`) and when (`at`, ISO 8601), so a
// caption can say both and how old it is. Layout happens in lib/figures/.

const Iso = z.iso.datetime({ offset: true });
const Bytes = z.number().finite().nonnegative();
const Accel = z.enum(["kvm", "tcg"]);

/** One measured value with its provenance. */
export function measured<T extends z.ZodType>(value: T) {
  return z.object({ value, source: z.string().min(1), at: Iso });
}
export const MeasuredBytesSchema = measured(Bytes);
export type MeasuredBytes = z.infer<typeof MeasuredBytesSchema>;

/** What `probe info` reported from inside an instance, reduced to what the figures draw. */
export const GuestFactsSchema = z.object({
  kernelRelease: z.string(),
  kernelVersion: z.string(),
  hostname: z.string(),
  processCount: z.number().int().nonnegative(),
  /** Distinct process names it sees, user processes before kernel threads, at most a few. */
  processNames: z.array(z.string()),
  memTotalBytes: Bytes,
  /** MemTotal − MemAvailable as the workload sees it. */
  memUsedBytes: Bytes,
  /** Epoch ms its kernel booted (read time − uptime) and how far that can be off (half the exec round trip). */
  bootedAtMs: z.number().finite(),
  bootedAtErrorMs: z.number().finite().nonnegative(),
  /** The app (the probe answering) as its own kernel counts it: PSS and RSS; absent when unreadable there. */
  appPssBytes: Bytes.optional(),
  appRssBytes: Bytes.optional(),
  source: z.string().min(1),
  at: Iso,
});
export type GuestFacts = z.infer<typeof GuestFactsSchema>;

/**
 * A templated VM (start mode template or pooled) beside its template: the
 * RAM file it maps as guest RAM, and what it costs beyond that file. Its PSS
 * splits the file's pages among every mapper; the file is counted once on
 * its own, so the clone's own cost is its PSS less that share (Pss_Shmem).
 */
export const CloneFactsSchema = z.object({
  ramFile: z.string(),
  private: MeasuredBytesSchema,
  /** The same smaps_rollup read: its PSS, and the part of it that is its share of the template file. */
  pssBytes: Bytes,
  shareOfTemplateBytes: Bytes,
});
export type CloneFacts = z.infer<typeof CloneFactsSchema>;

export const FigureInstanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(INSTANCE_KINDS),
  image: z.string(),
  state: z.enum(["creating", "running", "stopping", "stopped", "exited", "failed"]),
  accel: Accel.optional(),
  memoryMiB: z.number().nonnegative(),
  createdAt: Iso,
  /** Host view: cgroup usage (container), PSS of QEMU (vm) or of the probe (process). */
  hostMemory: MeasuredBytesSchema.nullable(),
  guest: GuestFactsSchema.nullable(),
  /** Why `guest` is missing, when it is. */
  guestError: z.string().optional(),
  /** VM only: how it was started (cold, warm, template, pooled). */
  startMode: z.enum(VM_START_MODES).optional(),
  /** A running template or pooled VM's template file and own cost; null when they could not be read. */
  clone: CloneFactsSchema.nullable().optional(),
});
export type FigureInstance = z.infer<typeof FigureInstanceSchema>;

export const HostFactsSchema = z.object({
  /** Where the kernel and boot facts came from, and when (memory has its own). */
  source: z.string().min(1),
  at: Iso,
  hostname: z.string(),
  kernelRelease: z.string(),
  kernelVersion: z.string(),
  bootedAtMs: z.number().finite(),
  bootedAtErrorMs: z.number().finite().nonnegative(),
  memTotal: MeasuredBytesSchema,
  memAvailable: MeasuredBytesSchema,
  accelerator: z.object({ accel: Accel, reason: z.string(), source: z.string(), at: Iso }).nullable(),
});
export type HostFacts = z.infer<typeof HostFactsSchema>;

/** A run that is still queued or running, so a figure can say "measuring…". */
export const PendingExperimentSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.string(),
  progress: z.object({ done: z.number(), total: z.number(), message: z.string() }).nullable(),
});

/** A limit other than memory on more instances of a kind (a density run's first one), lib/figures/room.ts. */
export const RoomLimitSchema = z.object({
  id: z.string(),
  label: z.string(),
  count: z.number().int().nonnegative(),
  /** The limit and what one instance took of it in the run (Isolab's memory cap: MiB), so the room can take out what live instances hold now. */
  limit: z.number().finite().optional(),
  perInstance: z.number().finite().nullable().optional(),
});
export const Fig21FirstLimitsSchema = z.object({ vm: RoomLimitSchema.nullable(), container: RoomLimitSchema.nullable() });
export type Fig21FirstLimits = z.infer<typeof Fig21FirstLimitsSchema>;

/** A shared-memory template's RAM file on tmpfs: host memory paid once, however many clones map it. */
export const TemplateFileFactSchema = z.object({
  path: z.string(),
  /** A rebuild unlinked it while a clone still maps it. */
  deleted: z.boolean(),
  /** The guest RAM it can hold (st_size). */
  sizeBytes: Bytes,
  /** What tmpfs holds for it (st_blocks × 512). */
  resident: MeasuredBytesSchema,
  /** Running instances that map it. */
  clones: z.number().int().nonnegative(),
});
export type TemplateFileFact = z.infer<typeof TemplateFileFactSchema>;

/** Figure 2.1's third host: templated VMs, live or as a density run measured them. */
export const Fig21TemplatedSchema = z.object({
  /** This Isolab's template RAM files now (its state directory's, and any a running clone still maps). */
  files: z.array(TemplateFileFactSchema),
  /** The warm pool's waiting clones (ISOLAB_VM_POOL_SIZE): their own cost beyond the template, summed. */
  pool: z.object({ waiting: z.number().int().positive(), private: MeasuredBytesSchema }).nullable(),
  /** The newest density run that measured vm-template: the marginal per clone, the template's file, the first limit beyond memory. */
  density: z
    .object({
      experimentId: z.string(),
      perClone: MeasuredBytesSchema,
      templateFile: MeasuredBytesSchema.nullable(),
      firstLimit: RoomLimitSchema.nullable(),
    })
    .nullable(),
});
export type Fig21Templated = z.infer<typeof Fig21TemplatedSchema>;

export const Fig21DataSchema = z.object({
  /** Per-instance memory used for "room for N more", per kind. */
  marginal: z.object({
    basis: z.enum(["density", "live", "none"]),
    experimentId: z.string().optional(),
    vm: MeasuredBytesSchema.nullable(),
    container: MeasuredBytesSchema.nullable(),
    /** What caps "room for N more" before memory does, from the density run. */
    firstLimit: Fig21FirstLimitsSchema.optional(),
  }),
  /** The app alone (the same probe as a bare process or in a container), to split a VM's guest view. */
  app: MeasuredBytesSchema.nullable(),
  /** The density experiment, when Isolab has one; absent until that runner exists. */
  densityAvailable: z.boolean(),
  templated: Fig21TemplatedSchema,
});
export type Fig21Data = z.infer<typeof Fig21DataSchema>;

export const SyscallStatSchema = z.object({
  medianNs: z.number().finite().nonnegative(),
  p95Ns: z.number().finite().nonnegative(),
  n: z.number().int().nonnegative(),
});
export type SyscallStat = z.infer<typeof SyscallStatSchema>;

/** The host's CPU-vulnerability mitigations and the guest kernels' `mitigations=` in a run (lib/host/mitigations.ts). */
export const MitigationRecordSchema = z.object({
  host: z.enum(["on", "off", "not-needed", "unknown"]),
  hostSummary: z.string(),
  guest: z.enum(["off", "auto"]),
});

const PerKind = <T extends z.ZodType>(v: T) => z.object({ process: v.optional(), container: v.optional(), vm: v.optional() });

export const Fig22DataSchema = z.object({
  overhead: z
    .object({
      experimentId: z.string(),
      at: Iso,
      syscallArgs: z.array(z.string()),
      syscall: PerKind(SyscallStatSchema),
      accel: z.object({ accel: Accel, reason: z.string() }).nullable(),
      /** Absent or null for runs that did not record it. */
      mitigations: MitigationRecordSchema.nullable().optional(),
    })
    .nullable(),
  startup: z
    .object({
      experimentId: z.string(),
      at: Iso,
      medianMs: PerKind(z.number().finite().nonnegative()),
      accel: z.object({ accel: Accel, reason: z.string() }).nullable(),
    })
    .nullable(),
  pending: z.array(PendingExperimentSchema),
});
export type Fig22Data = z.infer<typeof Fig22DataSchema>;

export const Fig23MemberSchema = z.object({
  name: z.string(),
  kind: z.enum(INSTANCE_KINDS),
  apps: z.array(z.string()).min(1),
  /** The instance carrying it, when one with this name exists. */
  instanceId: z.string().nullable(),
});
export const Fig23DataSchema = z.object({
  members: z.array(Fig23MemberSchema),
  /** Every member exists and runs. */
  running: z.boolean(),
});
export type Fig23Data = z.infer<typeof Fig23DataSchema>;

export const FigureImageSchema = z.object({
  name: z.string(),
  sizeBytes: Bytes.nullable(),
  files: z.number().int().nonnegative().nullable(),
  layers: z.number().int().nonnegative().nullable(),
  digest: z.string().nullable(),
  /** built, imported, or pulled from a registry. */
  origin: z.string().nullable(),
  createdAt: z.string().nullable(),
  /** Why it cannot run (incomplete build), when it cannot. */
  problem: z.string().nullable(),
  /** Ids of the instances started from it (the store's own lineage, by canonical name:tag). */
  instanceIds: z.array(z.string()),
  source: z.string(),
  at: Iso,
});
export type FigureImage = z.infer<typeof FigureImageSchema>;

export const Fig24DataSchema = z.object({
  images: z.array(FigureImageSchema),
  /** Why the list may be incomplete or empty (store missing, unreadable). */
  imagesNote: z.string().nullable(),
  registry: z.object({
    running: z.boolean(),
    /** managed (Isolab started it), external (pointed at), stopped. */
    mode: z.string(),
    url: z.string().nullable(),
    /** repository:tag of everything it holds. */
    repositories: z.array(z.string()),
    note: z.string(),
    at: Iso,
  }),
});
export type Fig24Data = z.infer<typeof Fig24DataSchema>;

export const FiguresPayloadSchema = z.object({
  generatedAt: Iso,
  host: HostFactsSchema,
  instances: z.array(FigureInstanceSchema),
  fig21: Fig21DataSchema,
  fig22: Fig22DataSchema,
  fig23: Fig23DataSchema,
  fig24: Fig24DataSchema,
});
export type FiguresPayload = z.infer<typeof FiguresPayloadSchema>;

/** POST /api/figures/scenario answers the members it started or found running. */
export const ScenarioResultSchema = z.object({
  started: z.array(z.string()),
  reused: z.array(z.string()),
  tookMs: z.number().nonnegative(),
});
export type ScenarioResult = z.infer<typeof ScenarioResultSchema>;
