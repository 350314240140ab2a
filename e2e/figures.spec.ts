import fs from "node:fs";
import path from "node:path";
import { formatNs } from "@/lib/figures/fig22";
import { fig21Model } from "@/lib/figures/fig21";
import type { FiguresPayload } from "@/lib/schemas/figures";
import { expect, FIGURE_NUMBERS, SCREENSHOT_DIR, test, type FigureNumber } from "./figure-fixtures";

// /figures end to end: the Figure 2.3 scenario launched from the page, a
// small startup + overhead experiment, then every label checked against the
// API's own numbers, every figure downloaded as SVG (and PNG) and
// photographed in both themes.

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

type ExperimentJson = { status: string; result: { rows?: { workload: string; metric: string; perKind: { [k: string]: { median: number } } }[] } | null };

test("with nothing measured, the figures say what to run instead of drawing numbers", async ({ figures }) => {
  await figures.open();
  const p = await figures.facts();
  if (p.instances.some((i) => i.state === "running")) test.skip(true, "instances are running on this server");
  await expect(figures.figure("2.1").getByRole("button", { name: "Launch VMs and containers (the Figure 2.3 scenario)" })).toBeVisible();
  // Without a density run nothing sizes "room for N more"; with one (another spec may have run it) its number is used and named.
  const room = p.fig21.marginal.vm ? new RegExp(`^room for \\d+ more VMs; .* per VM: ${escapeRegExp(p.fig21.marginal.vm.source)}$`) : /^room for \? more VMs/;
  await expect(figures.figure("2.1").getByRole("img", { name: room })).toBeVisible();
  await expect(figures.figure("2.3").getByText("Nothing of the scenario runs yet", { exact: false })).toBeVisible();
  // "no registry running" unless one answers right now (the images spec starts Isolab's own).
  const registry = p.fig24.registry.running ? new RegExp(`^Registry: .*${p.fig24.registry.url}`) : /^Registry: no registry running/;
  await expect(figures.figure("2.4").getByRole("img", { name: registry })).toBeVisible();
});

test("Figures 2.1–2.4 show this host's measured values and download as SVG and PNG", async ({ page, request, figures }) => {
  test.setTimeout(360_000);
  await figures.open();

  await test.step("launch the Figure 2.3 scenario from the page", async () => {
    await figures.launchScenario();
  });

  const member = (p: FiguresPayload, name: string) => p.instances.find((i) => i.name === name)!;
  let vmRelease = "";
  await test.step("Figure 2.3 labels are the kernels and process counts each instance reported", async () => {
    const fig = figures.figure("2.3");
    const names = ["fig23-proc-a", "fig23-proc-b", "fig23-proc-c", "fig23-vm-ab", "fig23-vm-c", "fig23-ct-a", "fig23-ct-b", "fig23-ct-c"];
    // Bare processes see the whole host, whose process count moves: compare page and API until one read agrees.
    await expect(async () => {
      const p = await figures.facts();
      for (const name of names) {
        const g = member(p, name).guest;
        expect(g, `${name} has facts from inside`).not.toBeNull();
        const box = fig.getByRole("img", { name: new RegExp(`^${name}: kernel `) });
        await expect(box).toContainText(`kernel ${g!.kernelRelease}`, { timeout: 1000 });
        await expect(box).toContainText(`sees ${g!.processCount} processes:`, { timeout: 1000 });
      }
    }).toPass({ timeout: 60_000 });
    const p = await figures.facts();
    vmRelease = member(p, "fig23-vm-c").guest!.kernelRelease;
    expect(vmRelease).not.toBe(p.host.kernelRelease);
    expect(member(p, "fig23-ct-a").guest!.kernelRelease).toBe(p.host.kernelRelease);
    // The shared and the separate kernels, as drawn from those facts.
    await expect(fig.getByRole("img", { name: `host kernel ${p.host.kernelRelease} — shared by 3: fig23-ct-a, fig23-ct-b, fig23-ct-c` })).toBeVisible();
    await expect(fig.getByRole("img", { name: `host kernel ${p.host.kernelRelease} — shared by 3: fig23-proc-a, fig23-proc-b, fig23-proc-c` })).toBeVisible();
    await expect(fig.getByRole("img", { name: `own kernel ${vmRelease}: fig23-vm-ab` })).toBeVisible();
    await expect(fig.getByRole("img", { name: `own kernel ${vmRelease}: fig23-vm-c` })).toBeVisible();
  });

  await test.step("Figure 2.1 draws both hosts with the live VMs and containers", async () => {
    const fig = figures.figure("2.1");
    await expect(fig.getByText("Host running VMs (2)", { exact: false })).toBeVisible();
    await expect(fig.getByText("Host running containers (3)", { exact: false })).toBeVisible();
    // The per-VM figure is the newest density run's when one exists (another spec may have run one), else the live VMs'.
    const p = await figures.facts();
    const perVm = p.fig21.marginal.vm!;
    if (p.fig21.marginal.basis !== "density") expect(perVm.source).toContain("of 2 live VMs (fig23-vm-ab, fig23-vm-c)");
    await expect(fig.getByRole("img", { name: new RegExp(`^room for \\d+ more VMs; .* per VM: ${escapeRegExp(perVm.source)}$`) })).toBeVisible();
    await expect(fig.getByRole("img", { name: /^room for \d+ more containers; / })).toBeVisible();
    await expect(fig.getByRole("img", { name: /^fig23-vm-ab: host view .* \(PSS of QEMU/ }).first()).toBeVisible();
  });

  let vmNs = "";
  let ctNs = "";
  await test.step("Figure 2.4 links each scenario instance to the image the store says it came from", async () => {
    const p = await figures.facts();
    const probe = p.fig24.images.find((i) => i.instanceIds.includes(member(p, "fig23-vm-ab").id));
    expect(probe, "the store lists the scenario's image").toBeDefined();
    const fig = figures.figure("2.4");
    await expect(fig.getByRole("img", { name: new RegExp(`^image ${probe!.name}: `) })).toBeVisible();
    for (const name of ["fig23-ct-a", "fig23-vm-ab", "fig23-proc-c"]) {
      const box = fig.getByRole("img", { name: new RegExp(`^[a-zA-Z ]+ ${name} \\(`) });
      await expect(box).toContainText(`from ${probe!.name}`);
    }
  });

  await test.step("a small startup and overhead experiment label Figure 2.2", async () => {
    const start = async (plan: object) => {
      const res = await request.post("/api/experiments", { data: plan });
      expect(res.status(), await res.text()).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const overhead = await start({ type: "overhead", workloads: ["syscall"], reps: 1, idleSeconds: 1 });
    const startup = await start({ type: "startup", runs: 1, warmup: false });
    const record = async (id: string) => (await (await request.get(`/api/experiments/${id}`)).json()) as ExperimentJson;
    for (const id of [overhead, startup]) await expect.poll(async () => (await record(id)).status, { timeout: 240_000, intervals: [2000] }).toBe("done");
    const row = (await record(overhead)).result!.rows!.find((r) => r.workload === "syscall" && r.metric === "ns_per_call")!;
    vmNs = formatNs(row.perKind.vm.median);
    ctNs = formatNs(row.perKind.container.median);
    const fig = figures.figure("2.2");
    await expect(fig.getByText("Measuring:", { exact: false })).toHaveCount(0, { timeout: 20_000 });
    await expect(fig.getByRole("img", { name: new RegExp(`^getppid\\(\\): ${vmNs}/call`) })).toBeVisible({ timeout: 20_000 });
    await expect(fig.getByRole("img", { name: new RegExp(`^getppid\\(\\): ${ctNs}/call`) })).toBeVisible();
    await expect(fig.getByText(`${vmNs} ·`, { exact: false })).toBeVisible();
    const facts = await figures.facts();
    expect(facts.fig22.overhead?.experimentId).toBe(overhead);
    await expect(
      fig.getByText(facts.fig22.overhead!.accel?.accel === "kvm" ? "QEMU, KVM — hardware-assisted" : "QEMU, TCG — emulated", { exact: true }),
    ).toBeVisible();
    await expect(fig.getByTestId("figure-2-2-caption")).toContainText(overhead);
  });

  await test.step("each figure downloads as a standalone SVG with its values, and as a PNG", async () => {
    const p = await figures.facts();
    const expected: Record<FigureNumber, string[]> = {
      "2.1": ["Host running VMs (2)", "room for"],
      "2.2": [`${vmNs}/call`, `${ctNs}/call`],
      "2.3": [`kernel ${vmRelease}`, `kernel ${p.host.kernelRelease}`, `sees ${member(p, "fig23-ct-a").guest!.processCount} processes:`],
      "2.4": ["probe", "fig23-vm-ab"],
    } as never;
    for (const n of FIGURE_NUMBERS) {
      const svg = (await figures.download(n, "SVG")).toString("utf8");
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      fs.writeFileSync(path.join(SCREENSHOT_DIR, `figure-${n.replace(".", "-")}.svg`), svg);
      expect(svg).toMatch(/<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        return { root: doc.documentElement.nodeName, error: doc.querySelector("parsererror")?.textContent ?? null, vars: text.includes("var(--") };
      }, svg);
      expect(parsed).toEqual({ root: "svg", error: null, vars: false });
      for (const value of expected[n]) expect(svg, `Figure ${n} SVG has ${value}`).toContain(value.replace(/&/g, "&amp;"));
      const png = await figures.download(n, "PNG");
      fs.writeFileSync(path.join(SCREENSHOT_DIR, `figure-${n.replace(".", "-")}-download.png`), png);
      expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    }
  });

  await test.step("screenshots of all four figures in both themes, wide and on a phone", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await figures.screenshots(colorScheme);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByTestId("figures")).toHaveAttribute("data-layout", "narrow");
    await figures.screenshots("dark-390px");
    await page.emulateMedia({ colorScheme: "light" });
    await figures.screenshots("light-390px");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await test.step("tear the scenario down from the page", async () => {
    await figures.tearDownScenario();
    const p = await figures.facts();
    expect(p.instances.filter((i) => i.name.startsWith("fig23-"))).toEqual([]);
    await expect(figures.figure("2.3").getByRole("img", { name: "fig23-vm-c: not running. Launch the Figure 2.3 scenario." })).toBeVisible();
  });
});

test("Figure 2.1 draws a host of templated VMs: two live clones, their template's file once, and room from their measured cost", async ({
  request,
  figures,
}) => {
  test.setTimeout(300_000);
  const ids: string[] = [];
  try {
    // The first clone builds the template (a boot); the second only maps its file.
    for (const name of ["fig21-tpl-a", "fig21-tpl-b"]) {
      const res = await request.post("/api/instances", { data: { kind: "vm", name, startMode: "template", memoryMiB: 128 } });
      expect(res.status(), await res.text()).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    // The API's facts: each clone's own cost read beside the one file both map.
    let p!: FiguresPayload;
    await expect(async () => {
      p = await figures.facts();
      const clones = p.instances.filter((i) => ids.includes(i.id));
      expect(clones.map((i) => i.clone?.private.value ?? 0).every((v) => v > 0)).toBe(true);
      expect(p.fig21.templated.files.filter((f) => f.clones === 2)).toHaveLength(1);
    }).toPass({ timeout: 30_000 });
    const file = p.fig21.templated.files.find((f) => f.clones === 2)!;
    // Clones share the file's pages: each one's PSS holds a share of it, so its own cost is its PSS less that share (one read).
    for (const i of p.instances.filter((x) => ids.includes(x.id))) {
      expect(i.clone!.shareOfTemplateBytes).toBeGreaterThan(0);
      expect(i.clone!.private.value).toBe(i.clone!.pssBytes - i.clone!.shareOfTemplateBytes);
    }
    const model = fig21Model(p);
    const host = model.hosts.find((h) => h.kind === "vm-template")!;
    expect(host.boxes.reduce((a, b) => a + b.bytes, 0)).toBeCloseTo(p.host.memTotal.value, -3);

    await figures.open();
    const fig = figures.figure("2.1");
    await expect(fig.getByText("Host running templated VMs (2)", { exact: false })).toBeVisible();
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    // The file once on the host (and once more in its magnified inset), never per clone.
    await expect(
      fig.getByRole("img", { name: new RegExp(`^template RAM file ${escapeRegExp(name)}: .* counted once — 2 running clones map it copy-on-write`) }),
    ).toHaveCount(2);
    await expect(
      fig
        .getByRole("img", {
          name: /^fig21-tpl-a \(template start\): .* of its own = PSS .* − its share of the template file .* \(Pss_Shmem\), smaps_rollup of QEMU pid \d+/,
        })
        .first(),
    ).toBeVisible();
    // No density run with vm-template on this server: the room divides by the live clones' median own cost.
    const basis = p.fig21.templated.density
      ? escapeRegExp(p.fig21.templated.density.perClone.source)
      : "median own cost \\(PSS − Pss_Shmem\\) of 2 live clones";
    await expect(fig.getByRole("img", { name: new RegExp(`^room for \\d+ more templated VMs; .*per templated VM: ${basis}`) })).toBeVisible();
    await expect(fig.getByTestId("figure-2-1-caption")).toContainText("counted once, by what tmpfs holds for it (st_blocks)");
    await expect(fig.getByTestId("figure-2-1-caption")).toContainText("any secret it held");
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await fig.screenshot({ path: path.join(SCREENSHOT_DIR, "figure-2-1-templated.png") });
  } finally {
    for (const id of ids) await request.delete(`/api/instances/${id}`);
  }
});
