import "server-only";
import { RingBuffer } from "@/lib/metrics/ring-buffer";

// What the sampler costs the host: CPU per tick (its own process's
// user+system time around the tick, plus guest-view bookkeeping between
// ticks), averaged over the recent ticks.

/** How many recent ticks the sampler's own CPU % is averaged over. */
const COST_WINDOW_TICKS = 60;

export class SamplerCost {
  ticks = 0;
  instancesSampled = 0;
  lastTickCpuMs = 0;
  lastTickWallMs = 0;
  cpuMsTotal = 0;
  private readonly recent = new RingBuffer<{ mono: number; cpuMs: number }>(COST_WINDOW_TICKS);

  record(tick: { mono: number; cpuMs: number; wallMs: number; instancesSampled: number }): void {
    this.ticks++;
    this.instancesSampled = tick.instancesSampled;
    this.lastTickCpuMs = tick.cpuMs;
    this.lastTickWallMs = tick.wallMs;
    this.cpuMsTotal += tick.cpuMs;
    this.recent.push({ mono: tick.mono, cpuMs: tick.cpuMs });
  }

  /** Mean CPU per tick and % of one core over the recent ticks. */
  averages(intervalMs: number): { meanTickCpuMs: number; cpuPercentOfCore: number } {
    const recent = this.recent.toArray();
    if (recent.length === 0) return { meanTickCpuMs: 0, cpuPercentOfCore: 0 };
    const spanMs = recent.length > 1 ? recent.at(-1)!.mono - recent[0].mono + intervalMs : intervalMs;
    const cpuMs = recent.reduce((a, c) => a + c.cpuMs, 0);
    return { meanTickCpuMs: cpuMs / recent.length, cpuPercentOfCore: (100 * cpuMs) / spanMs };
  }
}
