import { expect, test } from "./fixtures";

test("launches a process, a container and a VM from the same image and removes them", async ({ page, instances, request }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: /Host/ })).toBeVisible();

  await instances.launch("process", "e2e-proc");
  await instances.launch("container", "e2e-ct");
  await instances.launch("vm", "e2e-vm");

  // Each card shows its measured startup phases, as the API reports them: a
  // start through the API begins with Isolab's own `prepare`, from the request's arrival.
  const { instances: list } = (await (await request.get("/api/instances")).json()) as {
    instances: { name: string; startup: { phases: { name: string }[] } }[];
  };
  const phases = (name: string) => list.find((i) => i.name === name)!.startup.phases.map((p) => p.name);
  expect(phases("e2e-proc")).toEqual(["prepare", "cgroup", "spawn", "ready"]);
  expect(phases("e2e-ct")).toEqual(["prepare", "runtime-run", "ready"]);
  expect(phases("e2e-vm")).toEqual(["prepare", "qemu-up", "kernel", "ready"]);
  for (const name of ["e2e-proc", "e2e-ct", "e2e-vm"]) {
    const legend = page.getByRole("article", { name: new RegExp(`${name}$`) }).getByTestId("startup-phases");
    await expect(legend).toContainText("total");
  }

  await instances.stop("e2e-vm");
  await instances.stop("e2e-ct");
  for (const name of ["e2e-proc", "e2e-ct", "e2e-vm"]) await instances.remove(name);
  const after = (await (await request.get("/api/instances")).json()) as { instances: unknown[] };
  expect(after.instances).toHaveLength(0);
});

test("a bad name is refused with the field named", async ({ page }) => {
  await page.goto("/");
  const form = page.getByRole("form", { name: "Launch an instance" });
  await form.getByLabel("Name (optional)").fill("Bad Name!");
  await form.getByRole("button", { name: "Launch" }).click();
  await expect(form.getByRole("alert")).toContainText("name");
});
