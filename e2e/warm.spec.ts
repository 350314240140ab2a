import { expect, test } from "./fixtures";

// Warm starts from the browser: a VM restored from its template snapshot
// shows its restore phases; a running VM is saved from its page; snapshots
// are listed with size and age and deleted from the overview.

interface ApiInstance {
  name: string;
  startMode?: string;
  snapshotId?: string;
  startup: { phases: { name: string }[] };
}

const phaseNames = async (request: import("@playwright/test").APIRequestContext, name: string) => {
  const { instances } = (await (await request.get("/api/instances")).json()) as { instances: ApiInstance[] };
  return instances.find((i) => i.name === name)!;
};

const snapshotIds = async (request: import("@playwright/test").APIRequestContext) =>
  ((await (await request.get("/api/snapshots")).json()) as { snapshots: { id: string }[] }).snapshots.map((s) => s.id);

// Snapshots a test made are deleted after it, pass or fail (a template that was there before stays for other tests).
let before: string[] = [];
test.beforeEach(async ({ request }) => {
  before = await snapshotIds(request);
});
test.afterEach(async ({ request }) => {
  for (const id of (await snapshotIds(request)).filter((id) => !before.includes(id))) await request.delete(`/api/snapshots/${id}`);
});

test("launches a warm VM from the page and sees its restore phases; saves, lists and deletes snapshots", async ({ page, instances, request }) => {
  await page.goto("/");
  const form = page.getByRole("form", { name: "Launch an instance" });
  await form.getByLabel("Kind").selectOption({ label: "Virtual machine (warm)" });
  await expect(form.getByTestId("warm-note")).toContainText("template");

  // The first warm launch of this machine may build the template (a phase of its own); the second only restores.
  await instances.launch("vm-warm", "e2e-warm-a");
  await instances.launch("vm-warm", "e2e-warm-b");
  const b = await phaseNames(request, "e2e-warm-b");
  expect(b.startMode).toBe("warm");
  expect(b.startup.phases.map((p) => p.name)).toEqual(["prepare", "qemu-up", "state-loaded", "ready"]);
  const card = page.getByRole("article", { name: /e2e-warm-b$/ });
  await expect(card).toContainText("warm (restored from a full snapshot)");
  const legend = card.getByTestId("startup-phases");
  for (const phase of ["qemu-up", "state-loaded", "ready", "total"]) await expect(legend).toContainText(phase);

  // The template is listed with its size and age.
  const template = page.getByTestId(`snapshot-${b.snapshotId}`);
  await expect(template).toContainText("warm-launch template");
  await expect(template).toContainText(/MiB/);
  await expect(template).toContainText(/ago|just now/);

  // Its page: the restored guest answers with its own name, and it can be saved.
  await instances.open("e2e-warm-b");
  await expect(page.getByText(/warm start, restored from snapshot s[0-9a-f]{12}/)).toBeVisible();
  await expect(page.getByTestId("startup-phases")).toContainText("state-loaded");
  const output = await instances.runProbe("info");
  await expect(output).toContainText(/"hostname": ?"e2e-warm-b"/);
  await page.getByRole("button", { name: "Save snapshot" }).click();
  const saved = page.getByRole("status").filter({ hasText: /^Saved s[0-9a-f]{12}/ });
  await expect(saved).toBeVisible({ timeout: 30_000 });
  const savedId = (await saved.locator(".mono").textContent())!;

  await page.goto("/");
  const row = page.getByTestId(`snapshot-${savedId}`);
  await expect(row).toContainText("e2e-warm-b");
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(row).toHaveCount(0);

  for (const name of ["e2e-warm-a", "e2e-warm-b"]) await instances.remove(name);
});

test("a snapshot that does not fit the launch is refused by name, and nothing starts", async ({ request }) => {
  const res = await request.post("/api/instances", { data: { kind: "vm", snapshot: "s000000000000" } });
  expect(res.status()).toBe(404);
  expect(((await res.json()) as { error: string }).error).toMatch(/No snapshot/);
  const bad = await request.post("/api/instances", { data: { kind: "container", warm: true } });
  expect(bad.status()).toBe(422);
  const { instances } = (await (await request.get("/api/instances")).json()) as { instances: unknown[] };
  expect(instances).toHaveLength(0);
});

test("a startup experiment shows vm-warm beside vm, and both VMs' host memory over their first seconds", async ({ page, request }) => {
  const res = await request.post("/api/experiments", {
    data: { type: "startup", runs: 1, warmup: false, kinds: ["container", "vm", "vm-warm"], memorySeconds: 3 },
  });
  expect(res.status()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  try {
    await expect
      .poll(async () => ((await (await request.get(`/api/experiments/${id}`)).json()) as { status: string }).status, { timeout: 90_000 })
      .toBe("done");
    await page.goto(`/experiments/${id}`);
    const table = page.getByRole("table", { name: "Startup time per kind" });
    await expect(table.getByRole("row", { name: /Virtual machine \(warm\)/ })).toContainText("TCG");
    await expect(table.getByTestId("median-vm-warm")).toBeVisible();
    await expect(page.getByTestId("startup-ratios")).toContainText("vm-warm / vm");
    await expect(page.getByRole("img", { name: /Virtual machine \(warm\) median startup phases.*state-loaded/ })).toBeVisible();
    await expect(page.getByRole("img", { name: /Host memory over the first 3 s/ })).toBeVisible();
    await expect(page.getByTestId("warm-memory-arrival")).toContainText(/The restored VM held .* resident at its first reading/);
  } finally {
    await request.delete(`/api/experiments/${id}`);
  }
});
