import "server-only";
import type { VmPoolInfo } from "@/lib/core/types";
import type { VmEngine } from "./engine";

/** The host card's view of the warm pool: its size and each machine's waiting QEMUs with their memory, read now. */
export function vmPoolInfo(engine: Pick<VmEngine, "templated">): VmPoolInfo {
  return {
    size: engine.templated.pool.size,
    slots: engine.templated.poolUsage().map((s) => ({
      image: s.image,
      memoryMiB: s.memoryMiB,
      target: s.target,
      waiting: s.waiting,
      pssBytes: s.pssBytes,
      rssBytes: s.rssBytes,
      ...(s.lastError ? { lastError: s.lastError } : {}),
    })),
  };
}
