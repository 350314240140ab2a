import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "@/lib/experiments/types";
import { hostileValues, ProbeHostileSchema, summarizeHostile } from "./summary";
import { hostileHeadline, hostileText } from "./text";

const answer = (oks: Record<string, string | true>) =>
  ProbeHostileSchema.parse({
    attempts: Object.entries(oks).map(([name, v]) => (v === true ? { name, ok: true, detail: "" } : { name, ok: false, errno: v, detail: "" })),
  });

const sample = (kind: "container" | "vm", values: Record<string, number>, seq: number, error?: string): ExperimentSample => ({
  seq,
  kind,
  sample: "hostile",
  rep: 1,
  warmup: false,
  values,
  takenAt: "2026-12-02T00:00:00Z",
  ...(error ? { error } : {}),
});

describe("summarizeHostile", () => {
  const confined = hostileValues(answer({ mount: "EPERM", userns: true, module: "EPERM", setuid: "EPERM" }), false);
  const privileged = hostileValues(answer({ mount: true, userns: true, module: true, setuid: "EPERM" }), true);

  it("stores each attempt as numbers the CSV can hold", () => {
    expect(confined).toEqual({ privileged: 0, mount_ok: 0, mount_errno: 1, userns_ok: 1, module_ok: 0, module_errno: 1, setuid_ok: 0, setuid_errno: 1 });
  });

  it("builds the side-by-side table, a privileged container told apart from a confined one", () => {
    const r = summarizeHostile(
      [sample("container", confined, 1), sample("container", privileged, 2), sample("vm", {}, 3, "no READY")],
      ["container", "container-privileged", "vm"],
      [],
    );
    const mount = r.rows.find((x) => x.attempt === "mount")!;
    expect(mount.cells).toEqual({ container: { ok: false, errno: "EPERM" }, "container-privileged": { ok: true } });
    expect(r.rows.find((x) => x.attempt === "keyctl")!.cells).toEqual({});
    expect(r.failed).toEqual([{ target: "vm", error: "no READY" }]);
    expect(hostileHeadline(r)).toBe("container (confined) 1/7 succeed · container (privileged) 3/7 succeed · VM 0/7 succeed");
    expect(hostileText(r).join("\n")).toMatch(/mount a filesystem\s+refused \(EPERM\)\s+SUCCEEDS/);
  });
});
