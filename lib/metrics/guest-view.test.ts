import { describe, expect, it } from "vitest";
import { compareViews, guestViewFromInfo, memoryOverhead, ProbeInfoSchema, type ProbeInfo } from "./guest-view";

// A host's and a TCG VM's `probe info`, trimmed.
const HOST_JSON =
  '{"hostname":"box","kernelRelease":"6.18.44-fc","kernelVersion":"#1 SMP","pid":15602,"uptimeSeconds":712.11,"processCount":90,"processes":[{"pid":1,"comm":"systemd"}],"memTotalKiB":24684096,"memAvailableKiB":23932256,"cpus":2,"interfaces":["lo","eth0"]}';
const VM_JSON =
  '{"hostname":"vm-1","kernelRelease":"6.1.0-28-cloud-amd64","kernelVersion":"#1 SMP Debian","pid":61,"uptimeSeconds":3.2,"processCount":58,"processes":[{"pid":1,"comm":"init"}],"memTotalKiB":100000,"memAvailableKiB":80000,"cpus":1,"interfaces":["lo"]}';

const host = ProbeInfoSchema.parse(JSON.parse(HOST_JSON));
const vm = ProbeInfoSchema.parse(JSON.parse(VM_JSON));

describe("ProbeInfoSchema", () => {
  it("refuses an info without kernelRelease", () => {
    const { kernelRelease: _, ...rest } = JSON.parse(HOST_JSON) as ProbeInfo;
    expect(ProbeInfoSchema.safeParse(rest).success).toBe(false);
  });
  it("takes the probe's own RSS and PSS when it printed them, and leaves them absent when not", () => {
    const withSelf = ProbeInfoSchema.parse({ ...JSON.parse(VM_JSON), selfRssBytes: 122880, selfPssBytes: 118784 });
    expect([withSelf.selfRssBytes, withSelf.selfPssBytes]).toEqual([122880, 118784]);
    expect(vm).not.toHaveProperty("selfPssBytes");
    expect(ProbeInfoSchema.safeParse({ ...JSON.parse(VM_JSON), selfPssBytes: -1 }).success).toBe(false);
  });
});

describe("guest view and overhead", () => {
  it("uses MemTotal − MemAvailable", () => {
    expect(guestViewFromInfo(vm, 5)).toEqual({ at: 5, memUsedBytes: 20000 * 1024, memTotalBytes: 100000 * 1024, processCount: 58 });
  });
  it.each([
    { what: "vm with its own memory", hostView: 150e6, guest: guestViewFromInfo(vm, 0), expected: 150e6 - 20000 * 1024 },
    { what: "container seeing the host's meminfo", hostView: 1e6, guest: guestViewFromInfo(host, 0), expected: undefined },
    { what: "no guest view yet", hostView: 1e6, guest: undefined, expected: undefined },
  ])("$what", ({ hostView, guest, expected }) => expect(memoryOverhead(hostView, guest, 24684096 * 1024)).toBe(expected));
});

describe("compareViews", () => {
  it("marks what differs and says why", () => {
    const rows = compareViews(host, vm);
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by.kernelRelease).toMatchObject({ host: "6.18.44-fc", guest: "6.1.0-28-cloud-amd64", differs: true, note: "its own kernel" });
    expect(by.processCount).toMatchObject({ host: "90", guest: "58", differs: true });
    expect(by.interfaces).toMatchObject({ host: "eth0, lo", guest: "lo", differs: true });
  });
  it("marks nothing for the same view (a bare process)", () => {
    const rows = compareViews(host, { ...host });
    expect(rows.filter((r) => r.differs)).toEqual([]);
    expect(rows.every((r) => r.note === undefined)).toBe(true);
  });
});

describe("confinement rows", () => {
  const hostConf = { uidMap: "0 0 4294967295", uid: 0, seccomp: 0, capEff: "000001ffffffffff", capBnd: "000001ffffffffff", noNewPrivs: 0 };
  const ctConf = { uidMap: "0 700000000 65536", uid: 0, seccomp: 2, capEff: "0000000000000420", capBnd: "0000000000000420", noNewPrivs: 1 };

  it("are added when the instance's probe reports them, each saying what differs", () => {
    const rows = compareViews({ ...host, confinement: hostConf }, { ...host, confinement: ctConf });
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey.uidMap).toMatchObject({
      host: "0 0 4294967295 — root is host root",
      guest: "0 700000000 65536 — root is host 700000000 (65536 ids)",
      differs: true,
    });
    expect(byKey.seccomp).toMatchObject({ host: "0 — no filter", guest: "2 — filter", differs: true, note: "a syscall filter" });
    expect(byKey.capEff).toMatchObject({ host: "all 41", guest: "KILL, NET_BIND_SERVICE" });
    expect(byKey.uid).toMatchObject({ differs: false });
    expect(byKey.noNewPrivs.guest).toMatch(/^on/);
  });

  it("are absent for an older probe that does not report them", () => {
    expect(compareViews(host, vm).map((r) => r.key)).not.toContain("seccomp");
  });
});
