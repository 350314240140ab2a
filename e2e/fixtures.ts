import { expect, test as base, type Page } from "@playwright/test";

// Per-resource verbs that drive the page the way a person does: by role and
// label, waiting for visible status text. Each test removes what it made.

type Kind = "process" | "container" | "vm";
const KIND_LABEL: Record<Kind, string> = { process: "Bare process", container: "Container", vm: "Virtual machine" };

export interface InstanceHelpers {
  launch(kind: Kind, name: string, opts?: { memoryMiB?: number }): Promise<void>;
  expectState(name: string, state: string): Promise<void>;
  stop(name: string): Promise<void>;
  remove(name: string): Promise<void>;
}

function helpers(page: Page, created: Set<string>): InstanceHelpers {
  const card = (name: string) => page.getByRole("article", { name: new RegExp(`\\b${name}$`) });
  return {
    async launch(kind, name, opts = {}) {
      const form = page.getByRole("form", { name: "Launch an instance" });
      await form.getByLabel("Kind").selectOption({ label: KIND_LABEL[kind] });
      await form.getByLabel("Name (optional)").fill(name);
      if (opts.memoryMiB) await form.getByLabel("Memory (MiB)").fill(String(opts.memoryMiB));
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
  };
}

export const test = base.extend<{ instances: InstanceHelpers }>({
  instances: async ({ page, request }, use) => {
    const created = new Set<string>();
    await use(helpers(page, created));
    // Whatever a failing test left behind is removed through the API.
    const { instances } = (await (await request.get("/api/instances")).json()) as { instances: { id: string; name: string }[] };
    for (const i of instances.filter((i) => created.has(i.name))) await request.delete(`/api/instances/${i.id}`);
  },
});
export { expect };
