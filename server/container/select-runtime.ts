import "server-only";
import path from "node:path";
import { CrunRuntime } from "./crun";
import type { ContainerRuntime, RuntimeName } from "./runtime";
import { RuncRuntime } from "./runc";

export const RUNTIME_NAMES: readonly RuntimeName[] = ["runc", "crun"];

/**
 * The runtime's `--root` under Isolab's state dir, so listing, reconciling
 * and deleting only ever see Isolab's containers. One per runtime: their
 * state formats differ.
 */
export function runtimeRoot(name: RuntimeName, stateDir: string): string {
  return path.join(stateDir, name);
}

export function selectRuntime(name: RuntimeName, stateDir: string): ContainerRuntime {
  const root = runtimeRoot(name, stateDir);
  return name === "crun" ? new CrunRuntime(root) : new RuncRuntime(root);
}
