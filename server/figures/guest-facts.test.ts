import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Instance } from "@/lib/core/types";
import type { Supervisor } from "@/server/instances/supervisor";
import { createGuestFacts, GUEST_FACTS_TTL_MS } from "./guest-facts";

const info = {
  hostname: "c",
  kernelRelease: "6.1.0-56-cloud-amd64",
  kernelVersion: "#1",
  pid: 7,
  uptimeSeconds: 3,
  processCount: 2,
  processes: [
    { pid: 1, comm: "probe" },
    { pid: 7, comm: "probe" },
  ],
  memTotalKiB: 1000,
  memAvailableKiB: 400,
  cpus: 1,
  interfaces: ["lo"],
};

const instance = (id: string): Instance => ({
  id,
  name: id,
  kind: "container",
  image: "probe",
  state: "running",
  memoryMiB: 128,
  cpus: 1,
  createdAt: "2026-01-01T00:00:00Z",
});

function fakeSupervisor(output: () => { exitCode: number; output: string }) {
  const exec = vi.fn(async () => ({ ...output(), durationMs: 1 }));
  return { sup: { exec } as unknown as Supervisor, exec };
}

describe("guest facts", () => {
  let facts: ReturnType<typeof createGuestFacts>;
  let readGuestFacts: typeof facts.read;
  let pruneGuestFacts: typeof facts.prune;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse("2026-01-01T12:00:00Z"));
    facts = createGuestFacts();
    readGuestFacts = facts.read;
    pruneGuestFacts = facts.prune;
  });
  afterEach(() => vi.useRealTimers());

  it("runs probe info once per TTL, shared by concurrent readers", async () => {
    const { sup, exec } = fakeSupervisor(() => ({ exitCode: 0, output: JSON.stringify(info) }));
    const [a, b] = await Promise.all([readGuestFacts(sup, instance("ct-1")), readGuestFacts(sup, instance("ct-1"))]);
    expect(exec).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
    expect("facts" in a && a.facts).toMatchObject({
      kernelRelease: "6.1.0-56-cloud-amd64",
      processCount: 2,
      memUsedBytes: 600 * 1024,
      source: "probe info via runc exec inside ct-1",
    });
    vi.setSystemTime(Date.now() + GUEST_FACTS_TTL_MS + 1);
    await readGuestFacts(sup, instance("ct-1"));
    expect(exec).toHaveBeenCalledTimes(2);
  });

  it("answers an error instead of throwing: non-zero exit, no JSON, a failed exec", async () => {
    expect(await readGuestFacts(fakeSupervisor(() => ({ exitCode: 3, output: "" })).sup, instance("a"))).toEqual({ error: "probe info exited with 3" });
    expect(await readGuestFacts(fakeSupervisor(() => ({ exitCode: 0, output: "garbage" })).sup, instance("b"))).toEqual({
      error: "probe info printed no usable result",
    });
    const broken = { exec: vi.fn(async () => Promise.reject(new Error("agent channel closed"))) } as unknown as Supervisor;
    expect(await readGuestFacts(broken, instance("c"))).toEqual({ error: "agent channel closed" });
  });

  it("forgets instances that are gone", async () => {
    const { sup, exec } = fakeSupervisor(() => ({ exitCode: 0, output: JSON.stringify(info) }));
    await readGuestFacts(sup, instance("gone"));
    pruneGuestFacts(["other"]);
    await readGuestFacts(sup, instance("gone"));
    expect(exec).toHaveBeenCalledTimes(2);
  });

  it("reads neither an experiment's instances nor ones not running", async () => {
    const { sup, exec } = fakeSupervisor(() => ({ exitCode: 0, output: JSON.stringify(info) }));
    const mine = instance("ct-mine");
    const measured: Instance = { ...instance("ct-xp"), experimentId: "xp-1" };
    const stopped: Instance = { ...instance("ct-old"), state: "exited" };
    const results = await facts.readAll(sup, [mine, measured, stopped]);
    expect(exec).toHaveBeenCalledTimes(1);
    expect(exec.mock.calls[0]).toEqual(["ct-mine", expect.objectContaining({ command: "info" })]);
    expect(results[0] && "facts" in results[0]).toBe(true);
    expect(results.slice(1)).toEqual([null, null]);
  });
});
