import "server-only";
import type { GuestView } from "@/lib/metrics/guest-view";
import { RingBuffer } from "@/lib/metrics/ring-buffer";
import type { HostSample, InstanceSample } from "@/lib/metrics/samples";

// The sampler's memory: a ring buffer per instance and one for the host,
// served as windows by time. A stopped instance keeps its history (for
// download) until the supervisor forgets it.

export interface Series {
  ring: RingBuffer<InstanceSample>;
  prev?: { cpuNs: number; mono: number };
  /** pid + start time identify the process; a recycled pid is not the instance. */
  startTimeTicks?: number;
  guest?: GuestView;
  guestInFlight: boolean;
  nextGuestAt: number;
  guestError?: string;
}

export class SampleHistory {
  readonly host: RingBuffer<HostSample>;
  private readonly series = new Map<string, Series>();

  constructor(private readonly capacity: number) {
    this.host = new RingBuffer(capacity);
  }

  /** The instance's series, created on first use. */
  of(id: string): Series {
    let s = this.series.get(id);
    if (!s) {
      s = { ring: new RingBuffer(this.capacity), guestInFlight: false, nextGuestAt: -Infinity };
      this.series.set(id, s);
    }
    return s;
  }

  get(id: string): Series | undefined {
    return this.series.get(id);
  }

  /** Forgets deleted instances: every id not in `known`. */
  keepOnly(known: Set<string>): void {
    for (const id of this.series.keys()) if (!known.has(id)) this.series.delete(id);
  }

  samples(id: string, windowS: number): InstanceSample[] {
    const s = this.series.get(id);
    return s ? lastSeconds(s.ring, windowS) : [];
  }

  hostSamples(windowS: number): HostSample[] {
    return lastSeconds(this.host, windowS);
  }

  latest(): Record<string, InstanceSample> {
    const out: Record<string, InstanceSample> = {};
    for (const [id, s] of this.series) {
      const last = s.ring.last();
      if (last) out[id] = last;
    }
    return out;
  }
}

/** The samples of the last windowS seconds before the newest one. */
function lastSeconds<T extends { t: number }>(ring: RingBuffer<T>, windowS: number): T[] {
  const newest = ring.last();
  if (!newest) return [];
  const from = newest.t - windowS * 1000;
  return ring.takeLastWhile((x) => x.t > from);
}
