import "server-only";
import path from "node:path";
import { config } from "@/server/config";
import type { AppConfig } from "./create-app";

/**
 * An app config for integration tests and the bench: everything under a
 * state directory of their own (instances, runtime root, database, image
 * store, registry), TCG (the accelerator probe is the VM engine's own test)
 * and no sampler unless asked for. Built artifacts (kernel, probe image)
 * still come from config.dataDir.
 */
export function testAppConfig(stateDir: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...config,
    stateDir,
    dbPath: path.join(stateDir, "isolab.db"),
    imageStoreDir: path.join(stateDir, "image-store"),
    accel: "tcg",
    sampler: false,
    ...overrides,
  };
}
