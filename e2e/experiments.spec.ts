import fs from "node:fs";
import type { APIRequestContext, Download, Page } from "@playwright/test";
import { csvRecords } from "../lib/experiments/csv";
import type { ExperimentRecord } from "../lib/experiments/types";
import type { StartupResult } from "../lib/experiments/startup/types";
import { formatMs } from "../lib/core/format";
import { expect, test as base } from "./fixtures";

// Experiments from the browser: plan, start, watch, open, export, compare,
// cancel. Every run a test starts is cancelled afterwards if still going, so
// no instance outlives its test.

type Kind = "Bare process" | "Container" | "Virtual machine" | "Virtual machine (warm)";

interface ExperimentHelpers {
  /** Fills the plan form and starts a startup experiment; returns its id. */
  startStartup(opts: { runs: number; kinds: Kind[] }): Promise<string>;
  expectStatus(id: string, status: string, timeout?: number): Promise<void>;
  /** Starts one through the API (for setups that are not under test). */
  viaApi(plan: object): Promise<string>;
}

const ALL_KINDS: Kind[] = ["Bare process", "Container", "Virtual machine", "Virtual machine (warm)"];

function helpers(page: Page, request: APIRequestContext, started: string[]): ExperimentHelpers {
  const row = (id: string) => page.getByRole("row", { name: `experiment ${id}` });
  return {
    async startStartup({ runs, kinds }) {
      const form = page.getByRole("form", { name: "Plan an experiment" });
      await form.getByLabel("Experiment").selectOption({ label: "Startup time" });
      await form.getByLabel("Runs per kind").fill(String(runs));
      for (const k of ALL_KINDS) await form.getByRole("checkbox", { name: k, exact: true }).setChecked(kinds.includes(k));
      await form.getByRole("button", { name: "Start experiment" }).click();
      const link = form.getByRole("status").getByRole("link");
      await expect(link).toHaveText(/^x[0-9a-f]{10}$/);
      const id = (await link.textContent())!;
      started.push(id);
      return id;
    },
    async expectStatus(id, status, timeout = 90_000) {
      await expect(row(id).getByTestId("experiment-status")).toHaveText(status, { timeout });
    },
    async viaApi(plan) {
      const res = await request.post("/api/experiments", { data: plan });
      expect(res.status()).toBe(202);
      const { id } = (await res.json()) as { id: string };
      started.push(id);
      return id;
    },
  };
}

const test = base.extend<{ experiments: ExperimentHelpers }>({
  experiments: async ({ page, request }, use) => {
    const started: string[] = [];
    await use(helpers(page, request, started));
    for (const id of started) await request.delete(`/api/experiments/${id}`);
  },
});

async function downloaded(page: Page, name: string): Promise<string> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
  return fs.readFileSync((await download.path())!, "utf8");
}

async function record(request: APIRequestContext, id: string): Promise<ExperimentRecord> {
  return (await (await request.get(`/api/experiments/${id}`)).json()) as ExperimentRecord;
}

test("a startup experiment runs from the browser, and its CSV and JSON exports hold the API's numbers", async ({ page, request, experiments }) => {
  await page.goto("/experiments");
  const id = await experiments.startStartup({ runs: 5, kinds: ["Bare process", "Container"] });
  await experiments.expectStatus(id, "done");

  await page
    .getByRole("row", { name: `experiment ${id}` })
    .getByRole("link", { name: id })
    .click();
  await expect(page.getByRole("heading", { name: /Startup time/ })).toBeVisible();
  const api = await record(request, id);
  const result = api.result as StartupResult;
  expect(result.kinds.map((k) => [k.kind, k.total.n])).toEqual([
    ["process", 5],
    ["container", 5],
  ]);
  const table = page.getByRole("table", { name: "Startup time per kind" });
  for (const k of result.kinds) await expect(table.getByTestId(`median-${k.kind}`)).toHaveText(formatMs(k.total.median));
  await expect(page.getByRole("img", { name: /Distribution of startup time/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /Container median startup phases/ })).toBeVisible();

  const csv = csvRecords(await downloaded(page, "Download CSV"));
  expect(csv).toHaveLength(api.samples.length);
  csv.forEach((row, i) => {
    const s = api.samples[i];
    expect([row.experiment_id, Number(row.seq), row.kind, row.warmup]).toEqual([id, s.seq, s.kind, s.warmup ? "1" : "0"]);
    for (const [key, value] of Object.entries(s.values)) expect(Number(row[key])).toBe(value);
  });
  const json = JSON.parse(await downloaded(page, "Download JSON")) as ExperimentRecord;
  expect(json).toEqual(api);
});

test("a VM startup experiment names its accelerator beside the VM numbers", async ({ page, request, experiments }) => {
  await page.goto("/experiments");
  const id = await experiments.startStartup({ runs: 5, kinds: ["Container", "Virtual machine"] });
  await experiments.expectStatus(id, "done", 110_000);
  await page.goto(`/experiments/${id}`);
  const api = await record(request, id);
  const accel = api.environment!.accelerator!.accel;
  const label = accel === "tcg" ? "TCG — emulated, not KVM" : "KVM — hardware-assisted";
  const vmRow = page.getByRole("table", { name: "Startup time per kind" }).getByRole("row", { name: /Virtual machine/ });
  await expect(vmRow).toContainText(label);
  await expect(page.getByTestId("startup-ratios")).toContainText(label);
  await expect(page.getByTestId("experiment-accelerator")).toContainText(label);
  expect((api.result as StartupResult).ratioVmToContainer).toBeGreaterThan(1);
});

test("a running experiment can be cancelled and leaves no instance behind", async ({ page, request, experiments }) => {
  await page.goto("/experiments");
  const id = await experiments.startStartup({ runs: 50, kinds: ["Bare process", "Container"] });
  const row = page.getByRole("row", { name: `experiment ${id}` });
  await expect(row.getByRole("progressbar")).toBeVisible();
  await row.getByRole("button", { name: "Cancel" }).click();
  await experiments.expectStatus(id, "cancelled", 30_000);
  const { instances } = (await (await request.get("/api/instances")).json()) as { instances: { name: string }[] };
  expect(instances.filter((i) => i.name.startsWith(id))).toEqual([]);
  expect((await record(request, id)).error).toMatch(/cancelled/);
  // Cancelling a finished run is answered with the run as it is.
  const again = await request.delete(`/api/experiments/${id}`);
  expect(again.status()).toBe(200);
  expect((await again.json()).status).toBe("cancelled");
});

test("two runs compare side by side", async ({ page, experiments }) => {
  const a = await experiments.viaApi({ type: "startup", runs: 2, kinds: ["process"], warmup: false });
  const b = await experiments.viaApi({ type: "startup", runs: 2, kinds: ["process"], warmup: false });
  await page.goto("/experiments");
  await experiments.expectStatus(b, "done", 30_000);
  await page.getByRole("checkbox", { name: `Compare ${a}` }).check();
  await page.getByRole("checkbox", { name: `Compare ${b}` }).check();
  await page.getByRole("link", { name: "Compare selected" }).click();
  await expect(page.getByRole("heading", { name: `Comparing ${a} (A) and ${b} (B)` })).toBeVisible();
  await expect(page.getByRole("table", { name: "Startup medians compared" }).getByRole("row", { name: /Bare process/ })).toContainText("×");
});

test("a bad plan is refused with the field named, in the form and by the API", async ({ page, request }) => {
  const res = await request.post("/api/experiments", { data: { type: "startup", runs: 0, workloads: ["gpu"] } });
  expect(res.status()).toBe(422);
  expect((await res.json()).error).toMatch(/runs/);
  const unknown = await request.post("/api/experiments", { data: { type: "overhead", workloads: ["gpu"] } });
  expect(unknown.status()).toBe(422);
  expect((await unknown.json()).error).toMatch(/workloads\.0/);

  const format = await request.get("/api/experiments/x0000000000?format=xml");
  expect(format.status()).toBe(422);
  expect((await format.json()).error).toMatch(/format/);
  expect((await request.get("/api/experiments/x0000000000")).status()).toBe(404);
  await page.goto("/experiments/x0000000000");
  await expect(page.getByRole("heading", { name: "No such experiment" })).toBeVisible();

  await page.goto("/experiments");
  const form = page.getByRole("form", { name: "Plan an experiment" });
  await form.getByLabel("Runs per kind").fill("0");
  await form.getByRole("button", { name: "Start experiment" }).click();
  await expect(form.getByRole("alert")).toContainText("runs");
});
