import { describe, expect, it } from "vitest";
import { isIsolabError } from "@/server/errors";
import { createVmPool, type PoolMember } from "./vm-pool";

// The pool's bookkeeping with fake members (the real QEMUs: templated.int.test.ts).

function fakeMember(pid: number) {
  let end: () => void = () => {};
  const exit = new Promise<void>((r) => (end = r));
  const m: PoolMember & { discarded: boolean; die(): void } = {
    pid,
    exit,
    discarded: false,
    async discard() {
      m.discarded = true;
      end();
    },
    die: () => end(),
  };
  return m;
}

const quietly = { log: () => {} };

describe("createVmPool", () => {
  it("fills to its size one member at a time, hands one out, and refills only when asked", async () => {
    let pid = 100;
    const spawned: ReturnType<typeof fakeMember>[] = [];
    const pool = createVmPool({ size: 2, ...quietly });
    pool.ensure("k", { image: "probe", memoryMiB: 128 }, async () => {
      const m = fakeMember(++pid);
      spawned.push(m);
      return m;
    });
    await pool.idle();
    expect(pool.status()).toEqual([{ key: "k", image: "probe", memoryMiB: 128, target: 2, waiting: 2, pids: [101, 102] }]);
    const taken = await pool.take("k");
    expect(taken.pid).toBe(101);
    await pool.idle();
    expect(pool.status()[0].waiting).toBe(1);
    pool.refill("k");
    await pool.idle();
    expect(pool.status()[0].pids).toEqual([102, 103]);
    await pool.shutdown();
    expect(spawned.filter((m) => m.discarded).map((m) => m.pid)).toEqual([102, 103]);
  });

  it("replaces a member that dies while it waits", async () => {
    let pid = 0;
    const members: ReturnType<typeof fakeMember>[] = [];
    const pool = createVmPool({ size: 1, ...quietly });
    pool.ensure("k", { image: "probe", memoryMiB: 128 }, async () => {
      const m = fakeMember(++pid);
      members.push(m);
      return m;
    });
    await pool.idle();
    members[0].die();
    await new Promise((r) => setImmediate(r));
    await pool.idle();
    expect(pool.status()[0].pids).toEqual([2]);
    await pool.shutdown();
  });

  it("shutdown() returns only once a member still being started has been killed, and refills asked for then start nothing", async () => {
    let arrive: (m: ReturnType<typeof fakeMember>) => void = () => {};
    const late = fakeMember(7);
    let killed = false;
    late.discard = async () => {
      await new Promise((r) => setImmediate(r)); // a kill takes a moment
      late.discarded = killed = true;
    };
    const pool = createVmPool({ size: 1, ...quietly });
    pool.ensure("k", { image: "probe", memoryMiB: 128 }, () => new Promise((r) => (arrive = r)));
    pool.refill("k");
    const down = pool.shutdown();
    arrive(late);
    await down;
    expect(killed).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(pool.status()).toEqual([]);
  });

  it("stops after a failed fill and says why; refuses when off", async () => {
    const pool = createVmPool({ size: 1, ...quietly });
    pool.ensure("k", { image: "probe", memoryMiB: 128 }, async () => {
      throw new Error("no template");
    });
    await pool.idle();
    expect(pool.status()[0]).toMatchObject({ waiting: 0, lastError: "no template" });
    await expect(pool.take("k")).rejects.toThrow("no template");
    const off = createVmPool({ size: 0, ...quietly });
    const err = await off.take("k").catch((e: unknown) => e);
    expect(isIsolabError(err) && err.status).toBe(409);
    await pool.shutdown();
  });
});
