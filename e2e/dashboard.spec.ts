import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures";

// The live dashboard: a container and a VM side by side, their charts fed by
// the stream, the VM's page with `info` from inside, Prometheus output that
// promtool accepts, and the overview in both themes as artifacts.

const dataDir = path.resolve(process.env.ISOLAB_DATA_DIR ?? ".isolab");
const guestKernel = fs.readFileSync(path.join(dataDir, "kernel", "release"), "utf8").trim();
const artifacts = path.resolve("e2e/artifacts");

test("container and VM side by side: live charts, info inside, metrics, themes, nothing left", async ({ page, instances, request }) => {
  await page.goto("/");
  await expect(page.getByTestId("stream-status")).toHaveText(/live/);

  await instances.launch("container", "dash-ct");
  await instances.launch("vm", "dash-vm");
  const listed = (await (await request.get("/api/instances")).json()) as { instances: { id: string; name: string }[] };
  const ids = listed.instances.filter((i) => i.name.startsWith("dash-")).map((i) => i.id);

  // The stream keeps adding points to both cards' charts.
  await instances.expectChartGrows("dash-ct", "cpu-spark");
  await instances.expectChartGrows("dash-vm", "memory-spark");
  await expect(page.getByTestId("total-container")).toContainText("1 running");
  await expect(page.getByTestId("total-vm")).toContainText("1 running");
  await expect(page.getByTestId("sampler-cost")).toContainText("of one core");

  // Prometheus exposition of the real server while both run.
  const metrics = await (await request.get("/api/metrics")).text();
  expect(metrics).toMatch(/isolab_memory_host_bytes\{kind="vm",name="dash-vm",accel="(tcg|kvm)"\} [1-9]/);
  expect(metrics).toMatch(/isolab_cpu_seconds_total\{kind="container",name="dash-ct",runtime="\w+"\} /);
  execFileSync("promtool", ["check", "metrics"], { input: metrics });

  // History for download: CSV with a header and rows.
  const csv = await (await request.get(`${await page.getByTestId("instance-dash-vm").getByRole("link", { name: "CSV" }).getAttribute("href")}`)).text();
  expect(csv.split("\r\n")[0]).toContain("memoryHostBytes");
  expect(csv.split("\r\n").length).toBeGreaterThan(3);

  fs.mkdirSync(artifacts, { recursive: true });
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: path.join(artifacts, `overview-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: null });

  // The VM's own page: live charts on the same axes, what it sees, info inside.
  await instances.open("dash-vm");
  await expect.poll(async () => Number(await page.getByTestId("memory-chart").getAttribute("data-points"))).toBeGreaterThan(2);
  await expect(page.getByTestId("view-kernelRelease")).toContainText("differs");
  const output = await instances.runProbe("info");
  await expect(output).toContainText(guestKernel);
  await expect(page.getByTestId("log-tail")).not.toBeEmpty();

  await page.getByRole("link", { name: "Overview" }).click();
  await instances.stop("dash-vm");
  await instances.stop("dash-ct");
  // A stopped instance keeps its history; it is not drawn as zeros.
  expect(await instances.chartPoints("dash-vm", "memory-spark")).toBeGreaterThan(2);
  await instances.remove("dash-vm");
  await instances.remove("dash-ct");

  const { instances: left } = (await (await request.get("/api/instances")).json()) as { instances: { name: string }[] };
  expect(left.filter((i) => i.name.startsWith("dash-"))).toEqual([]);
  // Nothing of theirs runs on the host: no QEMU, no container process mentions their ids.
  const procs = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n");
  expect(procs.filter((l) => ids.some((id) => l.includes(id)))).toEqual([]);
});

test("an unknown instance id gets a 404 page naming it", async ({ page }) => {
  const res = await page.goto("/instances/vm-00000000");
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("unknown-id")).toHaveText("vm-00000000");
});
