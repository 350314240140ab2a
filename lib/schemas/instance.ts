import { z } from "zod";
import { INSTANCE_KINDS, PROBE_COMMANDS, VM_START_MODES } from "@/lib/core/types";
import { ImageRefSchema } from "./image";
import { SnapshotIdSchema } from "./snapshot";

// Shared by the route handlers and the launch form, so both refuse the same input.

export const INSTANCE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const MEMORY_MIB = { min: 32, max: 4096, default: 128 } as const;
export const CPUS = { min: 1, max: 4, default: 1 } as const;

export const InstanceNameSchema = z.string().regex(INSTANCE_NAME_PATTERN, "use 1–40 lowercase letters, digits or '-', starting with a letter or digit");

export const CreateInstanceSchema = z
  .object({
    kind: z.enum(INSTANCE_KINDS),
    /** "probe" (the built-in image) or any image of the store, `name[:tag]`. */
    image: ImageRefSchema.default("probe"),
    name: InstanceNameSchema.optional(),
    memoryMiB: z.number().int().min(MEMORY_MIB.min).max(MEMORY_MIB.max).default(MEMORY_MIB.default),
    cpus: z.number().int().min(CPUS.min).max(CPUS.max).default(CPUS.default),
    /** VM only: restore the machine's template snapshot instead of booting (the first warm launch builds it). */
    warm: z.boolean().optional(),
    /**
     * VM only: "template" clones the machine's shared-memory template (built on
     * first use); "pooled" takes a clone the pool started ahead. `warm: true`
     * is the same as startMode "warm"; "cold" is the default.
     */
    startMode: z.enum(VM_START_MODES).optional(),
    /** VM only: restore this snapshot; it must have been saved with the same memory, vCPUs, kernel and image. */
    snapshot: SnapshotIdSchema.optional(),
    /** Container only: "root on the host" — no user namespace, no seccomp filter, every capability. Off by default. */
    privileged: z.boolean().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const key of ["warm", "snapshot"] as const) {
      if (v[key] && v.kind !== "vm") ctx.addIssue({ code: "custom", path: [key], message: `only a VM starts from a snapshot; a ${v.kind} cannot` });
    }
    if (v.privileged && v.kind !== "container") {
      ctx.addIssue({ code: "custom", path: ["privileged"], message: `only a container can be started privileged; a ${v.kind} cannot` });
    }
    if (v.startMode && v.startMode !== "cold" && v.kind !== "vm") {
      ctx.addIssue({ code: "custom", path: ["startMode"], message: `only a VM has start modes; a ${v.kind} starts one way` });
    }
    if (v.startMode && v.startMode !== "warm" && v.warm)
      ctx.addIssue({ code: "custom", path: ["startMode"], message: 'warm: true means startMode "warm"; give one of them' });
    if (v.startMode && v.startMode !== "cold" && v.startMode !== "warm" && v.snapshot) {
      ctx.addIssue({ code: "custom", path: ["snapshot"], message: `a ${v.startMode} VM starts from its shared-memory template, not from a snapshot` });
    }
    if (v.warm && v.snapshot) ctx.addIssue({ code: "custom", path: ["snapshot"], message: "choose warm (the template) or one snapshot, not both" });
  });
export type CreateInstanceInput = z.input<typeof CreateInstanceSchema>;
export type CreateInstance = z.output<typeof CreateInstanceSchema>;

// Arguments are numbers or simple paths; nothing a shell could misread, and
// the probe is always run with an argument array anyway.
const ProbeArgSchema = z.string().regex(/^[A-Za-z0-9._/=-]{1,64}$/, "arguments are plain words or numbers");

export const ExecRequestSchema = z
  .object({
    command: z.enum(PROBE_COMMANDS),
    args: z.array(ProbeArgSchema).max(4).default([]),
    timeoutMs: z.number().int().min(100).max(120_000).default(30_000),
  })
  .strict();
export type ExecRequest = z.output<typeof ExecRequestSchema>;

export const InstanceIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "not an instance id");
