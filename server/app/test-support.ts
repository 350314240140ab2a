import "server-only";
import path from "node:path";
import { config } from "@/server/config";
import type { Accel } from "@/lib/core/types";
import type { AppConfig } from "./create-app";

/**
 * The accelerator integration tests run VMs under: ISOLAB_ACCEL=kvm on a host
 * whose KVM works exercises KVM; anything else is TCG (the probe, which
 * `auto` would run, is the VM engine's own test). Tests compare against this,
 * never a literal.
 */
export const TEST_ACCEL: Accel = config.accel === "kvm" ? "kvm" : "tcg";

/**
 * An app config for integration tests and the bench: everything under a
 * state directory of their own (instances, runtime root, database, image
 * store, registry), TEST_ACCEL
 * and no sampler unless asked for. Built artifacts (kernel, probe image)
 * still come from config.dataDir.
 */
export function testAppConfig(stateDir: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...config,
    stateDir,
    dbPath: path.join(stateDir, "isolab.db"),
    imageStoreDir: path.join(stateDir, "image-store"),
    ksmSavedPath: path.join(stateDir, "ksm-saved.json"),
    accel: TEST_ACCEL,
    sampler: false,
    ...overrides,
  };
}
