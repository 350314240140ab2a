import { describe, expect, it } from "vitest";
import { fig21Caption, fig22Caption, fig23Caption, fig24Caption } from "./captions";
import { layoutLegend } from "./legend";
import { AT, inst, MiB, NO_TEMPLATED, payload } from "./test-fixtures";

const now = Date.parse(AT) + 12 * 60_000;

describe("captions", () => {
  it("Figure 2.1 names its sources and goes stale with old readings", () => {
    const p = payload({
      instances: [inst("v", "vm", 170 * MiB)],
      fig21: { marginal: { basis: "live", vm: null, container: null }, app: null, densityAvailable: false, templated: NO_TEMPLATED },
    });
    const c = fig21Caption(p, now);
    expect(c.text).toContain("cgroup usage");
    expect(c.text).toContain("median footprint of the live instances");
    expect(c.freshness!.text).toBe("stale: 12 min ago");
    expect(c.text).toContain("(stale: 12 min ago)");
  });

  it("Figure 2.1 names the density experiment and its age when it sizes the room", () => {
    const vm = { value: 170 * MiB, source: "density", at: AT };
    const p = payload({
      fig21: { marginal: { basis: "density", experimentId: "xd", vm, container: null }, app: null, densityAvailable: true, templated: NO_TEMPLATED },
    });
    expect(fig21Caption(p, now).text).toContain("from density experiment xd, finished");
    const limited = payload({
      fig21: {
        marginal: { basis: "density", experimentId: "xd", vm, container: null, firstLimit: { vm: null, container: null } },
        app: null,
        densityAvailable: true,
        templated: NO_TEMPLATED,
      },
    });
    expect(fig21Caption(limited, now).text).toContain("capped by the first limit that run found beyond memory");
    expect(fig21Caption(p, now).text).toContain("(12 min ago)");
  });

  it("Figure 2.2 without an experiment says so and has no age", () => {
    const c = fig22Caption(payload(), now);
    expect(c.text).toMatch(/No overhead experiment/);
    expect(c.freshness).toBeNull();
  });

  it("Figure 2.2 names the experiment, the arguments and the accelerator; 12 min is not stale for an experiment", () => {
    const p = payload({
      fig22: {
        overhead: {
          experimentId: "x1",
          at: AT,
          syscallArgs: ["200000"],
          syscall: { vm: { medianNs: 1300, p95Ns: 1400, n: 3 } },
          accel: { accel: "tcg", reason: "" },
        },
        startup: null,
        pending: [],
      },
    });
    const c = fig22Caption(p, now);
    expect(c.text).toContain("getppid() × 200000");
    expect(c.text).toContain("overhead experiment x1; VM 1.30 µs (TCG — emulated, not KVM)");
    expect(c.freshness).toEqual({ ageMs: 720_000, stale: false, text: "12 min ago" });
  });

  it("Figures 2.3 and 2.4 have no age without readings", () => {
    expect(fig23Caption(payload(), now).at).toBeNull();
    expect(fig24Caption(payload(), now).text).toContain("no registry running");
  });
});

describe("layoutLegend", () => {
  const items = ["host OS + other processes", "VM (QEMU, host view)", "guest OS", "app", "container", "free"].map((label) => ({
    key: label,
    label,
    swatch: "x",
  }));
  it("one row when wide, wraps when narrow, never past the width", () => {
    expect(layoutLegend(items, 10, 100, 1180).height).toBe(18);
    const narrow = layoutLegend(items, 10, 100, 380);
    expect(narrow.height).toBeGreaterThan(18);
    expect(new Set(narrow.items.map((i) => i.y)).size).toBeGreaterThan(1);
    expect(narrow.items[0]).toMatchObject({ x: 10, y: 100 });
  });
  it("no items, no height", () => expect(layoutLegend([], 0, 0, 100)).toEqual({ items: [], height: 0 }));
});
