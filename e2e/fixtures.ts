import { expect, test as base, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { KIND_LABELS, type LaunchKind } from "@/lib/core/kinds";
import { adminToken, E2E_BASE_URL } from "./e2e-env";

// Per-resource verbs that drive the page the way a person does: by role and
// label, waiting for visible status text. Each test removes what it made.

/** "vm-warm": the launch form's "Virtual machine (warm)", a VM restored from its template snapshot. */
type Kind = LaunchKind;

export interface InstanceHelpers {
  launch(kind: Kind, name: string, opts?: { memoryMiB?: number; image?: string }): Promise<void>;
  expectState(name: string, state: string): Promise<void>;
  stop(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** How many samples a card's chart (testid cpu-spark / memory-spark) draws. */
  chartPoints(name: string, chart: string): Promise<number>;
  /** Waits until a card's chart has drawn `more` points beyond what it has now. */
  expectChartGrows(name: string, chart: string, more?: number): Promise<void>;
  open(name: string): Promise<void>;
  /** On an instance page: runs a probe command and returns the output box. */
  runProbe(command: string, args?: string): Promise<Locator>;
}

function helpers(page: Page, created: Set<string>): InstanceHelpers {
  const card = (name: string) => page.getByRole("article", { name: new RegExp(`\\b${name}$`) });
  return {
    async launch(kind, name, opts = {}) {
      const form = page.getByRole("form", { name: "Launch an instance" });
      await form.getByLabel("Kind").selectOption({ label: KIND_LABELS[kind] });
      await form.getByLabel("Name (optional)").fill(name);
      if (opts.memoryMiB) await form.getByLabel("Memory (MiB)").fill(String(opts.memoryMiB));
      if (opts.image) await form.getByLabel("Image").selectOption(opts.image);
      created.add(name);
      await form.getByRole("button", { name: "Launch" }).click();
      await expect(card(name).getByTestId("state")).toHaveText("running", { timeout: 60_000 });
    },
    async expectState(name, state) {
      await expect(card(name).getByTestId("state")).toHaveText(state);
    },
    async stop(name) {
      await card(name).getByRole("button", { name: "Stop" }).click();
      await expect(card(name).getByTestId("state")).toHaveText("stopped");
    },
    async remove(name) {
      await card(name).getByRole("button", { name: "Delete" }).click();
      await expect(card(name)).toHaveCount(0);
      created.delete(name);
    },
    async chartPoints(name, chart) {
      return Number(await card(name).getByTestId(chart).getAttribute("data-points"));
    },
    async expectChartGrows(name, chart, more = 2) {
      const before = await this.chartPoints(name, chart);
      await expect.poll(() => this.chartPoints(name, chart), { timeout: 20_000 }).toBeGreaterThanOrEqual(before + more);
    },
    async open(name) {
      await card(name)
        .getByRole("link", { name: `Open ${name}` })
        .click();
      await expect(page.getByRole("heading", { level: 2, name: new RegExp(name) })).toBeVisible();
    },
    async runProbe(command, args = "") {
      const form = page.getByRole("form", { name: "Run a probe command" });
      await form.getByLabel("Command").selectOption(command);
      await form.getByLabel("Arguments").fill(args);
      await form.getByRole("button", { name: "Run" }).click();
      const output = page.getByLabel("Command output");
      await expect(output).toBeVisible({ timeout: 60_000 });
      return output;
    },
  };
}

export const test = base.extend<{ instances: InstanceHelpers; adminRequest: APIRequestContext }>({
  /** The API as a script holding the admin token sees it, whatever the page is signed in as. */
  adminRequest: async ({ playwright }, use) => {
    const request = await playwright.request.newContext({ baseURL: E2E_BASE_URL, extraHTTPHeaders: { authorization: `Bearer ${adminToken()}` } });
    await use(request);
    await request.dispose();
  },
  instances: async ({ page, adminRequest }, use) => {
    const created = new Set<string>();
    await use(helpers(page, created));
    // Whatever a failing test left behind is removed through the API.
    const { instances } = (await (await adminRequest.get("/api/instances")).json()) as { instances: { id: string; name: string }[] };
    for (const i of instances.filter((i) => created.has(i.name))) await adminRequest.delete(`/api/instances/${i.id}`);
  },
});
export { expect };
