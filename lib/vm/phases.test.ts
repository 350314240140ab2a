import { describe, expect, it } from "vitest";
import { vmStartupPhases } from "./phases";

const sum = (s: { phases: { ms: number }[] }) => Math.round(s.phases.reduce((a, p) => a + p.ms, 0) * 10) / 10;

describe("vmStartupPhases", () => {
  it("places init start backwards from READY by the guest's own gap", () => {
    const s = vmStartupPhases({ spawnAt: 1000, greetingAt: 1030, readyAt: 2500, uptimeSeconds: 1.42, initUptimeSeconds: 1.3 });
    expect(s).toEqual({
      totalMs: 1500,
      phases: [
        { name: "qemu-up", ms: 30 },
        { name: "kernel", ms: 1350 },
        { name: "ready", ms: 120 },
      ],
    });
  });

  it("clamps a guest gap longer than the host saw (clock drift) so kernel is ≥ 0", () => {
    const s = vmStartupPhases({ spawnAt: 0, greetingAt: 40, readyAt: 100, uptimeSeconds: 5, initUptimeSeconds: 1 });
    expect(s.phases.map((p) => p.ms)).toEqual([40, 0, 60]);
    expect(sum(s)).toBe(s.totalMs);
  });

  it("treats a negative guest gap as zero", () => {
    const s = vmStartupPhases({ spawnAt: 0, greetingAt: 40, readyAt: 1000, uptimeSeconds: 1, initUptimeSeconds: 1.01 });
    expect(s.phases.map((p) => p.ms)).toEqual([40, 960, 0]);
  });

  it("keeps the sum exact with fractional times", () => {
    const s = vmStartupPhases({ spawnAt: 0.123, greetingAt: 27.456, readyAt: 1411.789, uptimeSeconds: 1.33, initUptimeSeconds: 1.25 });
    expect(sum(s)).toBe(s.totalMs);
    expect(s.phases.every((p) => p.ms >= 0)).toBe(true);
  });

  it("reports qemu-up and kernel only when init_uptime is missing", () => {
    const s = vmStartupPhases({ spawnAt: 0, greetingAt: 30, readyAt: 1200, uptimeSeconds: 1.1 });
    expect(s.phases).toEqual([
      { name: "qemu-up", ms: 30 },
      { name: "kernel", ms: 1170 },
    ]);
  });
});
