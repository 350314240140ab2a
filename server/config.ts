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
  // The web server's own address (scripts/serve.mjs reads the same two): the fleet's local scrape target.
  HOST: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Seconds between the scrapes of the Prometheus Isolab starts (tests: 1). */
  ISOLAB_SCRAPE_INTERVAL_S: z.coerce.number().int().min(1).max(300).default(5),
  /** Clones kept waiting per templated VM machine (image, memory, vCPUs); each costs its QEMU's memory while it waits. */
  ISOLAB_VM_POOL_SIZE: z.coerce.number().int().min(0).max(16).default(0),
  ISOLAB_SHM_DIR: z.string().min(1).default("/dev/shm"),
});

const WILDCARD_HOSTS = new Set(["", "0.0.0.0", "::", "[::]", "localhost"]);

/** How this host's Isolab reaches itself: 127.0.0.1 when it binds every address or a loopback name. */
function localUrlOf(host: string | undefined, port: number): string {
  const h = host && !WILDCARD_HOSTS.has(host) ? (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host) : "127.0.0.1";
  return `http://${h}:${port}`;
}

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
    /** Where a KSM run keeps the host's own KSM settings until it puts them back; the server's and the CLI's runs share it, so one runs at a time. */
    ksmSavedPath: path.join(stateDir, "ksm-saved.json"),
    /** KSM's sysfs directory (a test points it where there is none). */
    ksmSysfsDir: "/sys/kernel/mm/ksm",
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
    /** This host's Isolab as the fleet's Prometheus scrapes it. */
    localUrl: localUrlOf(e.HOST, e.PORT),
    scrapeIntervalS: e.ISOLAB_SCRAPE_INTERVAL_S,
    vmPoolSize: e.ISOLAB_VM_POOL_SIZE,
    /** Where templated VMs keep their template's RAM (a tmpfs). */
    shmDir: path.resolve(e.ISOLAB_SHM_DIR),
  };
}

export const config = loadConfig();
