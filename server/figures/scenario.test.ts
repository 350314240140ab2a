import { describe, expect, it } from "vitest";
import type { CreateInstance, ExecRequest } from "@/lib/schemas/instance";
import type { Instance } from "@/lib/core/types";
import { ConflictError } from "@/server/errors";
import { createScenario, SHARED_VM_SECOND_APP, type ScenarioSupervisor } from "./scenario";

// The scenario against a fake supervisor: order, reuse, undo on failure, one at a time.

class FakeSupervisor implements ScenarioSupervisor {
  instances: Instance[] = [];
  log: string[] = [];
  execs: [string, string, string[]][] = [];
  failOn?: string;
  gate?: Promise<void>;
  private n = 0;

  list() {
    return this.instances.map((i) => ({ ...i }));
  }
  async create(input: CreateInstance) {
    await this.gate;
    const instance: Instance = {
      id: `${input.kind}-${++this.n}`,
      name: input.name!,
      kind: input.kind,
      image: input.image,
      state: "running",
      memoryMiB: input.memoryMiB,
      cpus: input.cpus,
      createdAt: new Date().toISOString(),
    };
    this.log.push(`create ${input.name}`);
    if (input.name === this.failOn) {
      this.instances.push({ ...instance, state: "failed" });
      throw new Error(`${input.name} did not boot`);
    }
    this.instances.push(instance);
    return { ...instance };
  }
  async remove(id: string) {
    const i = this.instances.find((x) => x.id === id)!;
    this.log.push(`remove ${i.name}`);
    this.instances = this.instances.filter((x) => x.id !== id);
  }
  exec(id: string, req: ExecRequest) {
    this.execs.push([id, req.command, req.args]);
    return new Promise<never>(() => {});
  }
  add(name: string, kind: Instance["kind"], state: Instance["state"]) {
    this.instances.push({ id: `old-${name}`, name, kind, image: "probe", state, memoryMiB: 128, cpus: 1, createdAt: "2026-01-01T00:00:00Z" });
  }
}

function setup() {
  const sup = new FakeSupervisor();
  const pruned: string[][] = [];
  const scenario = createScenario({ supervisor: async () => sup, lock: {}, afterTeardown: (ids) => pruned.push(ids) });
  return { sup, scenario, pruned };
}

describe("Figure 2.3 scenario", () => {
  it("starts processes and containers first, then the VMs one by one, with app B beside the agent in the shared VM", async () => {
    const { sup, scenario } = setup();
    const r = await scenario.launch();
    expect(r.started).toHaveLength(8);
    expect(r.reused).toEqual([]);
    expect(sup.log.slice(-2)).toEqual(["create fig23-vm-ab", "create fig23-vm-c"]);
    const ab = sup.instances.find((i) => i.name === "fig23-vm-ab")!;
    expect(sup.execs).toEqual([[ab.id, SHARED_VM_SECOND_APP.command, SHARED_VM_SECOND_APP.args]]);
  });

  it("reuses running members and replaces ended ones", async () => {
    const { sup, scenario } = setup();
    sup.add("fig23-ct-a", "container", "running");
    sup.add("fig23-vm-c", "vm", "exited");
    const r = await scenario.launch();
    expect(r.reused).toEqual(["fig23-ct-a"]);
    expect(r.started).toContain("fig23-vm-c");
    expect(sup.log[0]).toBe("remove fig23-vm-c");
    expect(sup.instances.filter((i) => i.name.startsWith("fig23-"))).toHaveLength(8);
  });

  it("a failed start removes what this launch started, and keeps what it reused", async () => {
    const { sup, scenario } = setup();
    sup.add("fig23-proc-a", "process", "running");
    sup.failOn = "fig23-vm-c";
    await expect(scenario.launch()).rejects.toThrow("fig23-vm-c did not boot");
    expect(sup.instances.map((i) => i.name)).toEqual(["fig23-proc-a"]);
  });

  it("a member still starting is a conflict, and so is a second launch while one runs", async () => {
    const { sup, scenario } = setup();
    sup.add("fig23-vm-ab", "vm", "creating");
    await expect(scenario.launch()).rejects.toBeInstanceOf(ConflictError);

    const other = setup();
    let open!: () => void;
    other.sup.gate = new Promise((r) => (open = r));
    const first = other.scenario.launch();
    await expect(other.scenario.launch()).rejects.toThrow(/busy/);
    await expect(other.scenario.teardown()).rejects.toThrow(/busy/);
    open();
    await first;
    await expect(other.scenario.teardown()).resolves.toMatchObject({ removed: expect.arrayContaining(["fig23-vm-ab"]) });
  });

  it("tear-down removes only the scenario's instances and is idempotent", async () => {
    const { sup, scenario, pruned } = setup();
    sup.add("mine", "vm", "running");
    await scenario.launch();
    const r = await scenario.teardown();
    expect(r.removed).toHaveLength(8);
    expect(sup.instances.map((i) => i.name)).toEqual(["mine"]);
    expect(pruned.at(-1)).toEqual(["old-mine"]);
    expect(await scenario.teardown()).toEqual({ removed: [] });
  });
});
