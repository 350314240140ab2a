import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./fixtures";

// Figure 2.4 for real, from the browser: a small image (busybox, built here
// with umoci and saved as a docker archive by skopeo) imported through the
// upload form with its progress bar, pushed to the registry Isolab starts,
// deleted locally, pulled back with the same digest, and launched as a
// container and as a VM, its output read in each.

const REF = "e2e/hello:1";
const LINE = "hello from the e2e image";
let dir: string;
let archive: string;

test.beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-e2e-img-"));
  const rootfs = path.join(dir, "rootfs");
  fs.mkdirSync(path.join(rootfs, "bin"), { recursive: true });
  fs.copyFileSync("/bin/busybox", path.join(rootfs, "bin", "busybox"));
  for (const applet of ["sh", "echo", "sleep"]) fs.symlinkSync("busybox", path.join(rootfs, "bin", applet));
  const layout = `${path.join(dir, "oci")}:hello`;
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });
  run("umoci", ["init", "--layout", path.join(dir, "oci")]);
  run("umoci", ["new", "--image", layout]);
  run("umoci", ["insert", "--image", layout, rootfs, "/"]);
  // sh as pid 1 ignores SIGTERM unless it traps it: a stop then need not wait out the grace period.
  run("umoci", [
    "config",
    "--image",
    layout,
    "--config.entrypoint",
    "/bin/sh",
    "--config.cmd",
    "-c",
    "--config.cmd",
    `trap 'exit 0' TERM; echo ${LINE}; while :; do sleep 1; done`,
  ]);
  archive = path.join(dir, "hello.tar");
  run("skopeo", ["copy", "--quiet", `oci:${layout}`, `docker-archive:${archive}:hello:1`]);
});

test.afterAll(async ({ request }) => {
  await request.delete(`/api/images/${REF}`).catch(() => {});
  await request.post("/api/registry/stop");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("import in the browser, push, pull back, launch both ways", async ({ page, instances, request }) => {
  test.setTimeout(180_000);
  const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
  await page.goto("/images");
  const form = page.getByRole("form", { name: "Import an image" });
  await form.getByLabel("Archive (OCI archive or docker save)").setInputFiles(archive);
  await form.getByLabel("Name (optional)").fill(REF);
  // Uploads on loopback are instant: slow this one to 1 MiB/s so the progress bar is seen moving.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
  await form.getByRole("button", { name: "Import" }).click();
  const bar = form.getByRole("progressbar", { name: "Upload progress" });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 10_000 }).toBeGreaterThan(0);
  await expect(form.getByRole("status")).toContainText(`Imported ${REF}`, { timeout: 60_000 });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // The images page lists its layers and sizes.
  const card = page.getByRole("article", { name: `Image ${REF}` });
  await expect(card.getByRole("table", { name: `Layers of ${REF}` }).getByRole("row")).toHaveCount(2);
  await expect(card.getByTestId("layer-size")).toHaveText(/\d+(\.\d+)? (KiB|MiB)/);
  await expect(card.getByTestId("image-size")).toContainText("1 layer");
  const local = (await (await request.get(`/api/images/${REF}`)).json()) as { digest: string };

  // Start the registry and push.
  await nav("Registry");
  await page.getByRole("button", { name: "Start registry" }).click();
  await expect(page.getByTestId("registry-state")).toHaveText("running", { timeout: 20_000 });
  await nav("Images");
  await card.getByRole("button", { name: `Push ${REF}` }).click();
  await expect(card.getByRole("status")).toContainText(`/e2e/hello:1`, { timeout: 60_000 });
  await expect(card.getByRole("status")).toContainText(local.digest.slice(0, 19));

  // Delete it locally; the registry page lists the tag; pull it back.
  await card.getByRole("button", { name: `Delete ${REF}` }).click();
  await expect(card).toHaveCount(0);
  await nav("Registry");
  const tags = page.getByRole("table", { name: "Registry tags" });
  await expect(tags.getByRole("row", { name: /e2e\/hello\s+1/ })).toBeVisible();
  await tags.getByRole("button", { name: `Pull ${REF}` }).click();
  await expect(page.getByRole("region", { name: "Repositories" }).getByRole("status")).toContainText(`as ${REF}`, { timeout: 60_000 });
  const pulled = (await (await request.get(`/api/images/${REF}`)).json()) as { digest: string; origin: { kind: string } };
  expect(pulled).toMatchObject({ digest: local.digest, origin: { kind: "pulled" } });

  // Launch it both ways from the overview and read its output in each.
  await nav("Overview");
  await instances.launch("container", "e2e-img-ct", { image: REF });
  await expect(page.getByRole("article", { name: /e2e-img-ct$/ }).getByTestId("no-probe")).toBeVisible();
  await instances.launch("vm", "e2e-img-vm", { image: REF });
  for (const name of ["e2e-img-ct", "e2e-img-vm"]) {
    await nav("Overview");
    await instances.open(name);
    await expect(page.getByTestId("log-tail")).toContainText(LINE, { timeout: 20_000 });
  }
  await nav("Overview");
  for (const name of ["e2e-img-ct", "e2e-img-vm"]) await instances.remove(name);
});
