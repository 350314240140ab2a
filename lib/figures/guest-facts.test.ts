import { describe, expect, it } from "vitest";
import { GuestFactsSchema } from "@/lib/schemas/figures";
import { toGuestFacts } from "./guest-facts";

const info = {
  hostname: "fig23-vm-c",
  kernelRelease: "6.1.0-56-cloud-amd64",
  kernelVersion: "#1 SMP PREEMPT_DYNAMIC Debian",
  pid: 71,
  uptimeSeconds: 12.34,
  processCount: 3,
  processes: [
    { pid: 1, comm: "sh" },
    { pid: 2, comm: "kthreadd" },
    { pid: 71, comm: "probe" },
  ],
  memTotalKiB: 112_000,
  memAvailableKiB: 72_000,
  cpus: 1,
  interfaces: ["lo"],
};

describe("toGuestFacts", () => {
  it("places the boot at the round trip's midpoint minus the uptime, with half the round trip as error", () => {
    const f = toGuestFacts(info, 1_000_000, 1_000_200, "probe info inside fig23-vm-c");
    expect(f.bootedAtMs).toBe(1_000_100 - 12_340);
    expect(f.bootedAtErrorMs).toBe(110);
    expect(f.memUsedBytes).toBe(40_000 * 1024);
    expect(f.memTotalBytes).toBe(112_000 * 1024);
    expect(f.processNames).toEqual(["sh", "probe", "kthreadd"]);
    expect(f.at).toBe(new Date(1_000_200).toISOString());
    expect(GuestFactsSchema.parse(f)).toEqual(f);
  });
  it("carries the app's own PSS and RSS from inside when info has them, and nothing when not", () => {
    const f = toGuestFacts({ ...info, selfPssBytes: 118_784, selfRssBytes: 122_880 }, 0, 10, "x");
    expect([f.appPssBytes, f.appRssBytes]).toEqual([118_784, 122_880]);
    expect(GuestFactsSchema.parse(f)).toEqual(f);
    const without = toGuestFacts(info, 0, 10, "x");
    expect(without).not.toHaveProperty("appPssBytes");
    expect(without).not.toHaveProperty("appRssBytes");
  });
  it("never reports negative used memory or error", () => {
    const f = toGuestFacts({ ...info, memAvailableKiB: 200_000 }, 5, 1, "x");
    expect(f.memUsedBytes).toBe(0);
    expect(f.bootedAtErrorMs).toBe(10);
  });
});
