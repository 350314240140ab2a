import { describe, expect, it } from "vitest";
import { ISOLATION_HOGS } from "./schema";
import { summarizeIsolation } from "./summary";
import { isolationRun } from "./test-fixtures";
import { formatLatencyUs, neighboursClause } from "./verdicts";

const plan = { hogs: [...ISOLATION_HOGS], neighbours: ["process", "container", "vm"] as const };
const verdicts = (over?: Parameters<typeof isolationRun>[0]) => summarizeIsolation(isolationRun(over), plan, []).verdicts;

describe("isolation verdicts, derived from the measured events", () => {
  it("say in plain words what happened to each hog and to the neighbours", () => {
    const [limited, vm, unlimited] = verdicts();
    expect(limited).toEqual({
      hog: "container-limited",
      kind: "container",
      outcome: "contained",
      text:
        "Container with a 64 MiB limit: OOM-killed by its cgroup at its 64 MiB limit (1 kill counted by the cgroup; it had touched 60 of the 128 MiB it asked for; peak cgroup usage 64 MiB)." +
        " Neighbours' p99 latency before → during: process 0.10 ms → 0.10 ms · container 0.12 ms → 0.12 ms · VM 2.00 ms → 2.00 ms.",
    });
    expect(vm.outcome).toBe("contained");
    expect(vm.text).toContain(
      "VM with 128 MiB of guest memory (TCG): the guest's own kernel OOM-killed the hog after 64 of the 256 MiB it asked for; the VM kept running (its agent answered ping in 13 ms).",
    );
    expect(vm.text).toContain(
      "The host paid at most 258 MiB for it (QEMU RSS: 128 MiB of guest RAM resident + 130 MiB of QEMU itself), up from 205 MiB before the hog.",
    );
    expect(unlimited.outcome).toBe("not-contained");
    expect(unlimited.text).toContain(
      "Container without a memory limit: nothing in the kernel stopped it — it took 1024 MiB of host memory (peak cgroup usage 1026 MiB), bounded only by Isolab's cap of 1024 MiB.",
    );
    expect(unlimited.text).toContain("Host MemAvailable fell 22.0 GiB → 21.0 GiB (−1024 MiB) while it ran and was back at 22.0 GiB after.");
    expect(unlimited.text).toContain("process 0.10 ms → 0.40 ms · container 0.12 ms → 0.50 ms · VM 2.00 ms → 3.00 ms");
  });

  it.each([
    [{ limitedNotKilled: true }, 0, "not-contained", /NOT stopped — it allocated all 128 MiB/],
    [{ vmKilled: false }, 1, "unclear", /the hog got all 256 MiB it asked for/],
    [{ guard: true }, 2, "not-contained", /Isolab's guard had to, at 1024 MiB .* over its hard cap of 1024 MiB/],
  ])("%j → hog %d is %s", (over, i, outcome, text) => {
    const v = verdicts(over)[i];
    expect(v.outcome).toBe(outcome);
    expect(v.text).toMatch(text);
  });
});

describe("verdict pieces", () => {
  it.each([
    [50, "0.05 ms"],
    [2280, "2.28 ms"],
    [59_100, "59.1 ms"],
    [152_000, "152 ms"],
  ])("formatLatencyUs(%d) = %s", (us, text) => expect(formatLatencyUs(us)).toBe(text));

  it("leaves the neighbours out when nothing was measured", () => {
    expect(neighboursClause([], "vm")).toBe("");
    expect(neighboursClause([{ kind: "vm", perPhase: { vm: { n: 1, p50Us: 1, p99Us: 1, maxUs: 1 } } }], "vm")).toBe("");
  });
});
