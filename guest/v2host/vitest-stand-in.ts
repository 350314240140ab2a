// Inside the nested cgroup v2 guest (ARCHITECTURE.md, "The nested cgroup v2
// host") there is no vitest: no node_modules, no worker pool, no transform.
// The host bundles integration test files with esbuild into one script and
// points their `import … from "vitest"` here. Their tests then run unchanged,
// file by file, one after the other, with vitest's own assertions (chai with
// @vitest/expect's matchers, as vitest wires them) and its hook order. Each
// result is one line on stdout, `NESTED-RESULT {json}`, which the host test
// reads back.
import * as chai from "chai";
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from "@vitest/expect";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Fn = () => unknown;
interface Test {
  name: string;
  fn: Fn | null;
  timeoutMs: number;
}
interface Suite {
  name: string;
  tests: (Test | Suite)[];
  beforeAll: Fn[];
  afterAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
}

/** TCG runs the guest ≈10× slower than the host: vitest's 60 s budget, stretched. */
const DEFAULT_TIMEOUT_MS = 240_000;
const newSuite = (name: string): Suite => ({ name, tests: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] });
/** One root suite per test file, in the order the bundle loads them. */
const files: { file: string; root: Suite }[] = [];
let current = newSuite("");

/** Called by the bundle's entry before it loads each test file. */
export function beginFile(file: string): void {
  current = newSuite("");
  files.push({ file, root: current });
}

export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as typeof import("vitest").expect;
Object.assign(expect, chai.expect);

function addTest(name: string, fn: Fn | null, timeoutMs = DEFAULT_TIMEOUT_MS) {
  current.tests.push({ name, fn, timeoutMs });
}
const itFn = (name: string, fn: Fn, timeoutMs?: number) => addTest(name, fn, timeoutMs);
export const it = Object.assign(itFn, {
  runIf: (cond: boolean) => (name: string, fn: Fn, t?: number) => addTest(name, cond ? fn : null, t),
  skipIf: (cond: boolean) => (name: string, fn: Fn, t?: number) => addTest(name, cond ? null : fn, t),
  skip: (name: string) => addTest(name, null),
});
export const test = it;

function describeFn(name: string, body: () => void) {
  const suite = newSuite(name);
  current.tests.push(suite);
  const parent = current;
  current = suite;
  try {
    body();
  } finally {
    current = parent;
  }
}
export const describe = Object.assign(describeFn, {
  runIf: (cond: boolean) => (name: string, body: () => void) => (cond ? describeFn(name, body) : addTest(`${name} (skipped)`, null)),
  skipIf: (cond: boolean) => (name: string, body: () => void) => (cond ? addTest(`${name} (skipped)`, null) : describeFn(name, body)),
});

export const beforeAll = (fn: Fn) => void current.beforeAll.push(fn);
export const afterAll = (fn: Fn) => void current.afterAll.push(fn);
export const beforeEach = (fn: Fn) => void current.beforeEach.push(fn);
export const afterEach = (fn: Fn) => void current.afterEach.push(fn);

function reportLine(result: Record<string, unknown>) {
  process.stdout.write(`NESTED-RESULT ${JSON.stringify(result)}\n`);
}

async function withTimeout(fn: Fn, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(fn),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const errorText = (err: unknown) => (err instanceof Error ? `${err.message}\n${err.stack?.split("\n").slice(1, 6).join("\n") ?? ""}` : String(err));

async function runSuite(file: string, suite: Suite, names: string[], eachBefore: Fn[], eachAfter: Fn[]): Promise<void> {
  const report = (r: Record<string, unknown>) => reportLine({ file, ...r });
  const path = suite.name ? [...names, suite.name] : names;
  const before = [...eachBefore, ...suite.beforeEach];
  const after = [...suite.afterEach, ...eachAfter];
  try {
    for (const h of suite.beforeAll) await withTimeout(h, DEFAULT_TIMEOUT_MS, "beforeAll");
  } catch (err) {
    report({ name: [...path, "beforeAll"].join(" > "), ok: false, error: errorText(err) });
    return;
  }
  for (const t of suite.tests) {
    if ("tests" in t) {
      await runSuite(file, t, path, before, after);
      continue;
    }
    const name = [...path, t.name].join(" > ");
    if (!t.fn) {
      report({ name, skipped: true });
      continue;
    }
    const t0 = performance.now();
    let error: unknown = null;
    try {
      for (const h of before) await withTimeout(h, t.timeoutMs, "beforeEach");
      await withTimeout(t.fn, t.timeoutMs, "test");
    } catch (err) {
      error = err;
    }
    // afterEach runs whatever the test did, and its failure fails the test (as in vitest).
    for (const h of after) {
      try {
        await withTimeout(h, t.timeoutMs, "afterEach");
      } catch (err) {
        error ??= err;
      }
    }
    report({ name, ok: error === null, ms: Math.round(performance.now() - t0), ...(error !== null && { error: errorText(error) }) });
  }
  for (const h of suite.afterAll) {
    try {
      await withTimeout(h, DEFAULT_TIMEOUT_MS, "afterAll");
    } catch (err) {
      report({ name: [...path, "afterAll"].join(" > "), ok: false, error: errorText(err) });
    }
  }
}

/** Runs every test the bundled files registered, file by file; the bundle's entry calls it once all are loaded. */
export async function runRegisteredTests(): Promise<void> {
  for (const { file, root } of files) {
    await runSuite(file, root, [], [], []);
    reportLine({ file, done: true });
  }
}
