import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Engine, StartRequest } from "@/server/engine/contract";
import { createContainerEngine } from "./engine";
import { leftovers, probeImage } from "./test-support";

// One test file's container engine on a state directory of its own. Every
// container a request() named is checked for leftovers (runtime state,
// cgroups, bundle, pid file) after its test; whatever a failed assertion
// left running is reconciled away at the end, not left on the host.
// Test-only: it registers vitest hooks, so the bench uses test-support.ts.

type Defaults = Omit<StartRequest, "id" | "name" | "image" | "dir"> & { image?: StartRequest["image"] };

export interface ContainerTestBed {
  readonly stateDir: string;
  readonly engine: Engine;
  /** A start request with a fresh id and directory, its leftovers checked after the test. */
  request(patch?: Partial<StartRequest>): StartRequest;
  /** Checks now, instead of after the test, that the requests so far left nothing behind. */
  expectNoLeftovers(): Promise<void>;
}

export function containerTestBed(opts: { prefix: string; name: string; defaults: Defaults }): ContainerTestBed {
  let stateDir = "";
  let engine: Engine | undefined;
  let counter = 0;
  const used: { id: string; dir: string }[] = [];

  beforeAll(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `isolab-${opts.prefix}-`));
    engine = createContainerEngine({ stateDir, exitPollMs: 50 });
  });

  async function expectNoLeftovers(): Promise<void> {
    for (const { id, dir } of used.splice(0)) expect(await leftovers(stateDir, id, dir)).toEqual([]);
  }
  afterEach(expectNoLeftovers);

  afterAll(async () => {
    if (!stateDir) return;
    await createContainerEngine({ stateDir }).reconcile(stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  return {
    get stateDir() {
      return stateDir;
    },
    get engine() {
      if (!engine) throw new Error("the container test bed is used before its beforeAll ran");
      return engine;
    },
    request(patch = {}) {
      const id = `${opts.prefix}-${process.pid}-${++counter}`;
      const dir = path.join(stateDir, "instances", id);
      used.push({ id, dir });
      return { image: probeImage(), ...opts.defaults, id, name: `${opts.name}-${counter}`, dir, ...patch };
    },
    expectNoLeftovers,
  };
}
