import fs from "node:fs";
import type { APIRequestContext, Download, Page } from "@playwright/test";
import { planCapacity } from "../lib/experiments/planner";
import type { DensityResult } from "../lib/experiments/density/types";
import { csvRecords } from "../lib/experiments/csv";
import type { ExperimentRecord } from "../lib/experiments/types";
import type { IsolationResult } from "../lib/experiments/isolation/types";
import { expect, test as base } from "./fixtures";

// Memory isolation and density from the browser: plan, start, watch, open,
// read the verdicts and charts, export, plan capacity. Every run a test
// starts is cancelled afterwards if still going, so no instance outlives it.

interface CapacityHelpers {
  /** Fills one of the two forms on /experiments, starts it and returns the run's id. */
  start(form: "Plan a memory isolation run" | "Plan a density run", fields: Record<string, string>, kinds?: string[]): Promise<string>;
  /** Waits for the run to finish in the list, then opens its page. */
  openWhenDone(id: string, timeout: number): Promise<void>;
}

const test = base.extend<{ capacity: CapacityHelpers }>({
  capacity: async ({ page, request }, use) => {
    const started: string[] = [];
    await use({
      async start(name, fields, kinds) {
        const form = page.getByRole("form", { name });
        for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
        if (kinds)
          for (const k of ["Bare process", "Container", "Virtual machine"])
            await form.getByRole("checkbox", { name: k, exact: true }).setChecked(kinds.includes(k));
        await form.getByRole("button", { name: /^Start / }).click();
        const link = form.getByRole("status").getByRole("link");
        await expect(link).toHaveText(/^x[0-9a-f]{10}$/);
        const id = (await link.textContent())!;
        started.push(id);
        return id;
      },
      async openWhenDone(id, timeout) {
        const row = page.getByRole("row", { name: `experiment ${id}` });
        await expect(row.getByRole("progressbar")).toBeVisible();
        await expect(row.getByTestId("experiment-status")).toHaveText("done", { timeout });
        await row.getByRole("link", { name: id }).click();
        await expect(page.getByRole("heading", { level: 2, name: new RegExp(id) })).toBeVisible();
      },
    });
    for (const id of started) await request.delete(`/api/experiments/${id}`);
  },
});

async function record(request: APIRequestContext, id: string): Promise<ExperimentRecord> {
  return (await (await request.get(`/api/experiments/${id}`)).json()) as ExperimentRecord;
}

async function downloaded(page: Page, name: string): Promise<string> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
  return fs.readFileSync((await download.path())!, "utf8");
}

test("an isolation run from the browser: a verdict per hog from measured kills, charts on one time axis, swap status, export", async ({
  page,
  request,
  capacity,
}) => {
  await page.goto("/experiments");
  const id = await capacity.start("Plan a memory isolation run", { "Unlimited hog takes (MiB)": "256", "Quiet before/after (s)": "2" });
  await capacity.openWhenDone(id, 150_000);

  const verdicts = page.getByRole("list", { name: "Verdicts" });
  await expect(verdicts.getByRole("listitem")).toHaveCount(3);
  await expect(page.getByTestId("verdict-container-limited")).toContainText("Container with a 64 MiB limit: OOM-killed by its cgroup");
  await expect(page.getByTestId("verdict-vm")).toContainText("the guest's own kernel OOM-killed the hog");
  await expect(page.getByTestId("verdict-vm")).toContainText("the VM kept running");
  await expect(page.getByTestId("verdict-container-unlimited")).toContainText("nothing in the kernel stopped it");
  await expect(page.getByTestId("verdict-container-unlimited")).toContainText("Host MemAvailable fell");
  await expect(page.getByTestId("swap-status")).toContainText(/swap: (off|\d)/);

  // Every chart is drawn, on the same time axis, with the OOM kills marked in its description.
  await expect(
    page.getByRole("img", { name: /^Container with a memory limit: host memory up to \d+ MiB against its 64 MiB cgroup limit; OOM kill by its cgroup/ }),
  ).toBeVisible();
  await expect(page.getByRole("img", { name: /^VM: host memory .* against its 128 MiB guest memory; OOM kill by the guest's own kernel/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Host MemAvailable from/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Neighbours' worst oversleep per half second: Bare process .*; Container .*; Virtual machine/ })).toBeVisible();
  expect(Number(await page.getByTestId("host-memory-chart").getAttribute("data-points"))).toBeGreaterThan(20);

  // The page's numbers are the API's.
  const api = await record(request, id);
  const result = api.result as IsolationResult;
  await expect(page.getByTestId("oom-kills-container-limited")).toHaveText(String(result.hogs[0].oomKills));
  expect(result.hogs.map((h) => h.killedBy)).toEqual(["cgroup", "guest-kernel", null]);
  for (const n of result.neighbours) await expect(page.getByTestId(`latency-${n.kind}`)).toBeVisible();

  const csv = csvRecords(await downloaded(page, "Download CSV"));
  expect(csv).toHaveLength(api.samples.length);
  expect(csv.some((r) => r.sample === "oom-kill" && r.kind === "container")).toBe(true);
  expect(csv.some((r) => r.sample === "latency" && r.kind === "vm")).toBe(true);

  const { instances } = (await (await request.get("/api/instances")).json()) as { instances: { name: string }[] };
  expect(instances.filter((i) => i.name.startsWith(id))).toEqual([]);
});

/** The newest finished density run, as the planner page picks it. */
async function newestDensity(request: APIRequestContext): Promise<{ id: string; result: DensityResult } | null> {
  const runs = ((await (await request.get("/api/experiments")).json()) as { experiments: ExperimentRecord[] }).experiments;
  const newest = runs.find((r) => r.type === "density" && r.status === "done" && r.result?.type === "density");
  return newest ? { id: newest.id, result: newest.result as DensityResult } : null;
}

test("the planner starts from what this host measured: a kind no density run measured starts empty, it asks for a run or your numbers, computes nothing, and labels typed numbers as yours", async ({
  page,
  request,
}) => {
  const run = await newestDensity(request);
  const host = (await (await request.get("/api/host")).json()) as { memory: { totalBytes: number } };
  await page.goto("/experiments/planner");
  const planner = page.getByRole("form", { name: "Capacity planner" });
  const source = planner.getByTestId("planner-source");
  await expect(planner.getByLabel("Host memory (GiB)")).toHaveValue(String(Number((host.memory.totalBytes / 2 ** 30).toFixed(2))));
  await expect(source).toContainText("Host memory: this host's MemTotal.");
  await expect(source).toContainText("Workload memory, Apps per VM: your choice (a starting value, not a measurement).");

  const fields = [
    { kind: "container", label: "Container overhead (MiB)", name: "Container overhead", words: "container marginal memory", mine: "1" },
    { kind: "vm", label: "VM overhead (MiB)", name: "VM overhead", words: "cold VM marginal memory", mine: "180" },
  ] as const;
  const missing: (typeof fields)[number][] = [];
  for (const f of fields) {
    const measured = run?.result.kinds.find((k) => k.kind === f.kind)?.marginal.chosenMiB ?? null;
    if (measured === null) {
      // No stand-in from another host: the field is empty and said to be unmeasured.
      await expect(planner.getByLabel(f.label)).toHaveValue("");
      missing.push(f);
    } else {
      await expect(planner.getByLabel(f.label)).toHaveValue(String(Number(measured.toFixed(2))));
      await expect(source).toContainText(`${f.name}: density run ${run!.id} (`);
      await expect(source).toContainText(`, ${f.words} (`);
    }
  }
  if (missing.length) {
    await expect(source).toContainText(`${missing.map((f) => f.name).join(", ")}: not measured on this host.`);
    const prompt = planner.getByTestId("planner-missing");
    await expect(prompt).toContainText(`To plan, fill in ${missing.map((f) => f.label).join(", ")}.`);
    await expect(prompt).toContainText("run the density experiment to measure them here, or type your own numbers");
    await expect(prompt.getByRole("link", { name: "Plan a density run" })).toHaveAttribute("href", "/experiments#plan-density");
    await expect(planner.getByTestId("planner-containers")).toHaveCount(0);
    await expect(planner.getByTestId("planner-vms")).toHaveCount(0);
  }
  // Typed numbers are the user's, and the plan is computed from them.
  for (const f of fields) await planner.getByLabel(f.label).fill(f.mine);
  await expect(source).toContainText("Container overhead, VM overhead: typed by you.");
  await expect(planner.getByTestId("planner-missing")).toHaveCount(0);
  await expect(planner.getByTestId("planner-containers")).toContainText("apps as containers");
  if (missing.length) {
    // The way to a measurement: the density run's form.
    await planner.getByLabel(missing[0].label).fill("");
    await planner.getByRole("link", { name: "Plan a density run" }).click();
    await expect(page.getByRole("form", { name: "Plan a density run" })).toBeVisible();
  }
});

test("a small density run from the browser: instances vs host memory per kind, the VM/container ratio, and the planner on its numbers", async ({
  page,
  request,
  capacity,
}) => {
  await page.goto("/experiments");
  const id = await capacity.start("Plan a density run", { "Instances per kind": "3", "VMs at most (optional)": "1" }, ["Container", "Virtual machine"]);
  await capacity.openWhenDone(id, 90_000);

  const api = await record(request, id);
  const result = api.result as DensityResult;
  expect(result.kinds.map((k) => [k.kind, k.reached])).toEqual([
    ["container", 3],
    ["vm", 1],
  ]);
  const table = page.getByRole("table", { name: "Density per kind" });
  await expect(table.getByTestId("reached-container")).toHaveText("3");
  await expect(table.getByTestId("reached-vm")).toHaveText("1");
  await expect(page.getByTestId("density-ratio")).toContainText("×");
  await expect(page.getByTestId("density-ratio")).toContainText("TCG — emulated, not KVM");
  await expect(page.getByRole("img", { name: /^Container: 3 instances cost the host/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Virtual machine: 1 instance costs the host/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Startup time as density grows/ })).toBeVisible();

  // The planner starts from the measured overheads, says they are this run's, and recomputes as numbers change.
  const planner = page.getByRole("form", { name: "Capacity planner" });
  const source = planner.getByTestId("planner-source");
  await expect(source).toContainText(`Container overhead: this run (${id}), container marginal memory (`);
  await expect(source).toContainText(`VM overhead: this run (${id}), cold VM marginal memory (`);
  await expect(source).toContainText(`Host memory: this host's MemTotal, as this run (${id}) read it.`);
  await planner.getByLabel("Host memory (GiB)").fill("64");
  await planner.getByLabel("Workload memory (MiB)").fill("512");
  const expected = planCapacity({
    hostGiB: 64,
    workloadMiB: 512,
    containerOverheadMiB: Number(await planner.getByLabel("Container overhead (MiB)").inputValue()),
    vmOverheadMiB: Number(await planner.getByLabel("VM overhead (MiB)").inputValue()),
    appsPerVm: 1,
  });
  await expect(planner.getByTestId("planner-containers")).toContainText(`${expected.containers.apps!.toLocaleString("en-US")} apps as containers`);
  await expect(planner.getByTestId("planner-vms")).toContainText(`${expected.vms.apps!.toLocaleString("en-US")} apps in`);
  await expect(source).toContainText("Workload memory: typed by you.");
  await planner.getByLabel("Host memory (GiB)").fill("0");
  await expect(planner.getByRole("alert")).toContainText("Host memory (GiB): at least 1 GiB");
});

test("the planner page computes from the newest density run and states its assumptions", async ({ page }) => {
  await page.goto("/experiments/planner");
  const planner = page.getByRole("form", { name: "Capacity planner" });
  await planner.getByLabel("Host memory (GiB)").fill("24");
  await planner.getByLabel("Workload memory (MiB)").fill("64");
  await planner.getByLabel("Container overhead (MiB)").fill("1");
  await planner.getByLabel("VM overhead (MiB)").fill("180");
  await planner.getByLabel("Apps per VM").fill("1");
  await expect(planner.getByTestId("planner-containers")).toContainText("302 apps as containers");
  await expect(planner.getByTestId("planner-vms")).toContainText("80 apps in 80 VMs");
  await expect(planner.getByTestId("planner-ratio")).toContainText("3.8× as many apps fit as containers as in VMs");
  await planner.getByText("Assumptions").click();
  await expect(planner.getByRole("listitem").first()).toContainText("reserve");
});

test("the planner offers template clones only from a density run that measured them, and says what to run otherwise", async ({ page, request }) => {
  const clones = (await newestDensity(request))?.result.kinds.find((k) => k.kind === "vm-template");
  await page.goto("/experiments/planner");
  const planner = page.getByRole("form", { name: "Capacity planner" });
  const option = planner.getByRole("option", { name: /^as template clones/ });
  const note = planner.getByTestId("planner-template-note");
  if (!clones || clones.marginal.chosenMiB === null) {
    // No figure stands in for an unmeasured clone.
    await expect(option).toBeDisabled();
    await expect(note).toHaveText("Template clones: run the density experiment with vm-template to plan templated VMs.");
    return;
  }
  await planner.getByLabel("VMs start").selectOption("template");
  await expect(planner.getByLabel("VM overhead (MiB)")).toHaveValue(String(Number(clones.marginal.chosenMiB.toFixed(2))));
  await expect(note).toContainText("Templated VMs: each clone's overhead is the vm-template marginal memory");
});
