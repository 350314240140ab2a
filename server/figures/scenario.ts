import "server-only";
import { FIG23_SCENARIO, type ScenarioMember } from "@/lib/figures/fig23";
import type { ScenarioResult } from "@/lib/schemas/figures";
import { ConflictError } from "@/server/errors";
import type { Supervisor } from "@/server/instances/supervisor";

// The Figure 2.3 scenario, started for real through the supervisor: three
// bare processes, two VMs (A+B share one), three containers. In the A+B VM a
// second probe runs as app B beside the agent, so the VM really holds two
// apps. A failed launch removes everything this call started.

/** App B inside the shared VM: the probe's latency workload, ticking once a second for an hour. */
export const SHARED_VM_SECOND_APP = { command: "latency" as const, args: ["3600000", "1000"] };

/** What the scenario needs of the supervisor. */
export type ScenarioSupervisor = Pick<Supervisor, "list" | "create" | "remove" | "exec">;

export interface ScenarioDeps {
  supervisor: () => Promise<ScenarioSupervisor>;
  /** Holds the launch or tear-down in flight; one at a time, a second call meanwhile is a 409. */
  lock: { busy?: Promise<unknown> };
  /** Called after a tear-down with the ids still alive (drops cached guest facts). */
  afterTeardown?: (liveIds: string[]) => void;
}

function startSecondApp(supervisor: ScenarioSupervisor, id: string): void {
  const { command, args } = SHARED_VM_SECOND_APP;
  // Runs until the VM stops; its end (a closed agent channel) is expected.
  supervisor.exec(id, { command, args, timeoutMs: 3_700_000 }).catch(() => {});
}

async function removeByName(supervisor: ScenarioSupervisor, names: string[]): Promise<string[]> {
  const doomed = supervisor.list().filter((i) => names.includes(i.name));
  await Promise.allSettled(doomed.map((i) => supervisor.remove(i.id)));
  return doomed.map((i) => i.name);
}

export function createScenario(deps: ScenarioDeps) {
  async function exclusive<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (deps.lock.busy)
      throw new ConflictError(`The Figure 2.3 scenario is busy (${what} refused while another launch or tear-down runs); try again in a few seconds.`);
    const p = fn();
    deps.lock.busy = p;
    try {
      return await p;
    } finally {
      deps.lock.busy = undefined;
    }
  }

  function launch(): Promise<ScenarioResult> {
    return exclusive("launch", async () => {
      const supervisor = await deps.supervisor();
      const t0 = performance.now();
      const reused: string[] = [];
      const todo: ScenarioMember[] = [];
      for (const m of FIG23_SCENARIO) {
        const i = supervisor.list().find((x) => x.name === m.name);
        if (i && i.kind === m.kind && i.state === "running") reused.push(m.name);
        else {
          if (i && (i.state === "creating" || i.state === "stopping")) throw new ConflictError(`"${m.name}" is ${i.state}; wait for it, then launch again.`);
          if (i) await supervisor.remove(i.id);
          todo.push(m);
        }
      }
      const started: string[] = [];
      const create = async (m: ScenarioMember) => {
        const inst = await supervisor.create({ kind: m.kind, name: m.name, image: "probe", memoryMiB: 128, cpus: 1 });
        started.push(m.name);
        if (m.kind === "vm" && m.apps.length > 1) startSecondApp(supervisor, inst.id);
      };
      try {
        // Processes and containers start in tens of ms, side by side; VMs one
        // after another so two TCG boots do not fight over 2 cores (and their
        // boot times, which tell their kernels apart, differ).
        const quick = await Promise.allSettled(todo.filter((m) => m.kind !== "vm").map(create));
        const failed = quick.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        for (const m of todo.filter((x) => x.kind === "vm")) await create(m);
      } catch (err) {
        // Started ones and the failed records of this call go; reused ones stay.
        await removeByName(
          supervisor,
          todo.map((m) => m.name),
        );
        throw err;
      }
      return { started, reused, tookMs: performance.now() - t0 };
    });
  }

  function teardown(): Promise<{ removed: string[] }> {
    return exclusive("tear-down", async () => {
      const supervisor = await deps.supervisor();
      const removed = await removeByName(
        supervisor,
        FIG23_SCENARIO.map((m) => m.name),
      );
      deps.afterTeardown?.(supervisor.list().map((i) => i.id));
      return { removed };
    });
  }

  return { launch, teardown };
}
