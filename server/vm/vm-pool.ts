import "server-only";
import { PoolDisabledError } from "./snapshot-errors";

// A warm pool of templated clones: QEMUs started ahead, their template's
// device state already loaded and their vCPUs stopped (`-S`), so a pooled
// launch only has to `cont`, name the guest and hear its `ping`. The pool is
// per template key, filled one QEMU at a time in the background (the host
// has few cores to spare) after the first templated or pooled launch of that
// machine, refilled after each take, and a member that dies while it waits
// is replaced. What it costs is standing memory: each waiting QEMU's PSS,
// shown on the host card (status()), and a pooled start names itself
// `pooled`, never `template`.

export interface PoolMember {
  pid: number;
  /** Settles when this QEMU ends. */
  exit: Promise<unknown>;
  /** Kills it and removes its files (idempotent). */
  discard(): Promise<void>;
}

export interface PoolSlotInfo {
  key: string;
  image: string;
  memoryMiB: number;
  target: number;
  waiting: number;
  pids: number[];
  /** The last failure to fill, in words, while it has not filled since. */
  lastError?: string;
}

interface Slot<M extends PoolMember> {
  key: string;
  image: string;
  memoryMiB: number;
  spawn: () => Promise<M>;
  members: M[];
  inFlight?: Promise<void>;
  /** A refill asked for and not yet begun (refill()). */
  refillSoon?: Promise<void>;
  lastError?: string;
  spawned: Set<M>;
}

export function createVmPool<M extends PoolMember>(opts: { size: number; log?: (line: string) => void }) {
  const slots = new Map<string, Slot<M>>();
  let stopped = false;
  const log = opts.log ?? ((line: string) => console.log(`[isolab] vm pool: ${line}`));

  function watchMember(slot: Slot<M>, m: M): void {
    void m.exit.then(() => {
      const i = slot.members.indexOf(m);
      if (i < 0) return; // taken or discarded: not ours to replace
      slot.members.splice(i, 1);
      slot.spawned.delete(m);
      void m.discard();
      log(`a waiting QEMU (pid ${m.pid}) of ${slot.image} ended; starting a replacement`);
      fill(slot);
    });
  }

  /** Starts one member if the slot is short and none is being started; chains until full. */
  function fill(slot: Slot<M>): void {
    if (stopped || slot.inFlight || slot.members.length >= opts.size || slots.get(slot.key) !== slot) return;
    slot.inFlight = slot
      .spawn()
      .then(
        async (m) => {
          // Drained or shut down meanwhile: killed before the fill counts as
          // settled, so drain() and shutdown() return with nothing running.
          if (stopped || slots.get(slot.key) !== slot) {
            await m.discard();
            return;
          }
          slot.spawned.add(m);
          slot.members.push(m);
          slot.lastError = undefined;
          watchMember(slot, m);
        },
        (err: Error) => {
          slot.lastError = err.message;
          log(`filling the pool of ${slot.image} failed: ${err.message}`);
          throw err;
        },
      )
      .finally(() => {
        slot.inFlight = undefined;
      });
    // Keep going only after a success: a failing template must not spin.
    slot.inFlight.then(() => fill(slot)).catch(() => {});
  }

  return {
    size: opts.size,

    /** Registers the pool of this template key (a spawner of waiting clones) and starts filling it. */
    ensure(key: string, info: { image: string; memoryMiB: number }, spawn: () => Promise<M>): void {
      if (opts.size <= 0 || stopped) return;
      let slot = slots.get(key);
      if (!slot) {
        // A new key for the same machine replaces the old template: its waiting clones go.
        for (const other of [...slots.values()]) if (other.image === info.image && other.memoryMiB === info.memoryMiB) void this.drain(other.key);
        slot = { key, ...info, spawn, members: [], spawned: new Set() };
        slots.set(key, slot);
      }
      fill(slot);
    },

    /** A waiting member, or the one being started (its wait is the caller's); PoolDisabledError when the pool is off. */
    async take(key: string, signal?: AbortSignal): Promise<M> {
      if (opts.size <= 0) {
        throw new PoolDisabledError("The VM pool is off (ISOLAB_VM_POOL_SIZE=0): set it to 1 or more to launch pooled VMs, or launch `template`.");
      }
      for (;;) {
        signal?.throwIfAborted();
        const slot = slots.get(key);
        if (!slot || stopped) throw new PoolDisabledError("The VM pool is shutting down.");
        const m = slot.members.shift();
        if (m) {
          // No refill yet: a QEMU spawning now would compete with this attach for the CPU. The caller calls refill() when done.
          slot.spawned.delete(m);
          return m;
        }
        fill(slot);
        if (slot.inFlight) await slot.inFlight;
      }
    },

    /**
     * Starts replacing what take() handed out (after the taker's attach, so
     * the two do not compete), a macrotask later: spawning QEMU is synchronous
     * work in this process, and the taker's caller should see its start end
     * first.
     */
    refill(key: string): void {
      const slot = slots.get(key);
      if (!slot || slot.refillSoon) return;
      slot.refillSoon = new Promise<void>((resolve) =>
        setImmediate(() => {
          slot.refillSoon = undefined;
          fill(slot);
          resolve();
        }),
      );
    },

    /** Settles once no member is being started (every pool full, or its last fill failed). */
    async idle(): Promise<void> {
      for (;;) {
        const busy = [...slots.values()].flatMap((s) => [s.inFlight, s.refillSoon].filter((p): p is Promise<void> => p !== undefined));
        if (!busy.length) return;
        await Promise.allSettled(busy);
        // The next fill of a chain starts in a later callback.
        await new Promise((r) => setImmediate(r));
      }
    },

    status(): PoolSlotInfo[] {
      return [...slots.values()].map((s) => ({
        key: s.key,
        image: s.image,
        memoryMiB: s.memoryMiB,
        target: opts.size,
        waiting: s.members.length,
        pids: s.members.map((m) => m.pid),
        ...(s.lastError ? { lastError: s.lastError } : {}),
      }));
    },

    /** Stops the pool of one key: its waiting QEMUs are killed, one being started is killed when it arrives. */
    async drain(key: string): Promise<void> {
      const slot = slots.get(key);
      if (!slot) return;
      slots.delete(key);
      const members = slot.members.splice(0);
      await Promise.all(members.map((m) => m.discard()));
      await slot.inFlight?.catch(() => {});
    },

    /** Kills every waiting QEMU and refuses further fills (app shutdown). */
    async shutdown(): Promise<void> {
      stopped = true;
      await Promise.all([...slots.keys()].map((k) => this.drain(k)));
    },
  };
}

export type VmPool<M extends PoolMember> = ReturnType<typeof createVmPool<M>>;
