import "server-only";
import path from "node:path";
import { z } from "zod";

// process.env is read and validated once; everything else imports `config`.
const EnvSchema = z.object({
  ISOLAB_STATE_DIR: z.string().min(1).optional(),
  ISOLAB_DATA_DIR: z.string().min(1).optional(),
  ISOLAB_KERNEL: z.string().min(1).optional(),
  ISOLAB_OCI_RUNTIME: z.enum(["runc", "crun"]).default("runc"),
  ISOLAB_ACCEL: z.enum(["auto", "kvm", "tcg"]).default("auto"),
  ISOLAB_QEMU: z.string().min(1).default("qemu-system-x86_64"),
  /** The unprivileged system user QEMU runs as (scripts/setup.sh creates it). */
  ISOLAB_QEMU_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/)
    .default("isolab-qemu"),
  ISOLAB_MAX_INSTANCES: z.coerce.number().int().positive().optional(),
  ISOLAB_MAX_MEMORY_MIB: z.coerce.number().int().positive().optional(),
});

export type IsolabConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid Isolab environment: ${issues.join("; ")}`);
  }
  const e = parsed.data;
  // Built artifacts (kernel, images) live beside the checkout by default so
  // that tests with their own state directory reuse one build.
  const dataDir = path.resolve(e.ISOLAB_DATA_DIR ?? path.join(process.cwd(), ".isolab"));
  const stateDir = path.resolve(e.ISOLAB_STATE_DIR ?? path.join(dataDir, "state"));
  return {
    dataDir,
    /** Instances, the runtime root, the image store, the registry: what one app owns and reconciles. */
    stateDir,
    /** The SQLite file; the server's and the CLI's runs share it even when their state directories differ. */
    dbPath: path.join(stateDir, "isolab.db"),
    /** The OCI image store; the CLI's own state directory still uses the server's store. */
    imageStoreDir: path.join(stateDir, "image-store"),
    imagesDir: path.join(dataDir, "images"),
    kernelPath: path.resolve(e.ISOLAB_KERNEL ?? path.join(dataDir, "kernel", "vmlinux")),
    ociRuntime: e.ISOLAB_OCI_RUNTIME,
    accel: e.ISOLAB_ACCEL,
    qemuBinary: e.ISOLAB_QEMU,
    qemuUser: e.ISOLAB_QEMU_USER,
    maxInstances: e.ISOLAB_MAX_INSTANCES,
    maxMemoryMiB: e.ISOLAB_MAX_MEMORY_MIB,
  };
}

export const config = loadConfig();
