import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DaemonSet } from "kubernetes-models/apps/v1";
import { Namespace, Service } from "kubernetes-models/v1";
import { parse, parseAllDocuments, stringify } from "yaml";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AVAILABLE_HISTORY, FLEET_QUERIES } from "@/lib/fleet/queries";
import { instantQuery } from "./prometheus-api";
import { createPrometheusManager, type PrometheusManager } from "./prometheus-manager";

// deploy/ checked by the tools that will read it: Kubernetes' schemas
// (kubernetes-models), promtool, and a real Prometheus that evaluates every
// PromQL expression of the rules, the Grafana dashboard and the fleet page.

const root = path.resolve(__dirname, "../..");
const deploy = (...p: string[]) => path.join(root, "deploy", ...p);
const RULES = deploy("prometheus", "rules.yml");
let tmp: string;
let prometheus: PrometheusManager;
let base: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-deploy-"));
  prometheus = createPrometheusManager({ stateDir: tmp, targets: () => [], scrapeIntervalS: 1, ruleFiles: [RULES] });
  base = (await prometheus.start()).url!;
}, 30_000);

afterAll(async () => {
  await prometheus?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("deploy/kubernetes", () => {
  const docs = parseAllDocuments(fs.readFileSync(deploy("kubernetes", "isolab.yaml"), "utf8")).map((d) => d.toJS());
  const models = { Namespace, DaemonSet, Service } as const;

  it("holds a Namespace, a DaemonSet and a Service, each valid against Kubernetes' schema", () => {
    expect(docs.map((d) => d.kind)).toEqual(["Namespace", "DaemonSet", "Service"]);
    for (const d of docs) expect(() => new models[d.kind as keyof typeof models](d).validate(), d.kind).not.toThrow();
  });
  it("gives the DaemonSet what it needs from the node: privileged, host PID, /dev/kvm, the state directory", () => {
    const spec = docs[1].spec.template.spec;
    expect(spec.hostPID).toBe(true);
    expect(spec.containers[0].securityContext.privileged).toBe(true);
    const paths = spec.volumes.map((v: { hostPath?: { path: string } }) => v.hostPath?.path);
    expect(paths).toEqual(expect.arrayContaining(["/dev/kvm", "/var/lib/isolab"]));
  });
  it("refuses a manifest the schema does not allow (the validator is not a no-op)", () => {
    const bad = structuredClone(docs[1]);
    bad.spec.template.spec.containers[0].ports[0].containerPort = "http";
    expect(() => new DaemonSet(bad).validate()).toThrow(/containerPort/);
  });
});

function promtoolKnowsKubernetesSd(): boolean {
  const f = path.join(tmp, "k8s-sd-probe.yml");
  fs.writeFileSync(f, "scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{ role: pod }]\n");
  try {
    execFileSync("promtool", ["check", "config", f], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("deploy/prometheus", () => {
  it("promtool accepts the scrape config (with its token file and rules in place)", () => {
    const dir = fs.mkdtempSync(path.join(tmp, "cfg-"));
    fs.writeFileSync(path.join(dir, "token"), "secret-token\n", { mode: 0o600 });
    fs.copyFileSync(RULES, path.join(dir, "rules.yml"));
    const config = parse(fs.readFileSync(deploy("prometheus", "prometheus.yml"), "utf8")) as { scrape_configs: Record<string, unknown>[] };
    for (const job of config.scrape_configs) {
      (job.authorization as { credentials_file: string }).credentials_file = path.join(dir, "token");
      // Debian builds Prometheus without Kubernetes service discovery, so its
      // promtool refuses the field; the upstream build (any cluster's) has it.
      // Checked here: everything else, with one static target in its place.
      if (!promtoolKnowsKubernetesSd()) {
        expect(job.kubernetes_sd_configs).toEqual([{ role: "endpoints", namespaces: { names: ["isolab"] } }]);
        delete job.kubernetes_sd_configs;
        job.static_configs = [{ targets: ["10.0.0.1:3000"] }];
      }
    }
    fs.writeFileSync(path.join(dir, "prometheus.yml"), stringify(config));
    const out = execFileSync("promtool", ["check", "config", path.join(dir, "prometheus.yml")], { stdio: ["ignore", "pipe", "pipe"] }).toString();
    expect(out).toMatch(/SUCCESS: 1 rule files found/);
  });
  it("promtool accepts the rules", () => {
    const out = execFileSync("promtool", ["check", "rules", RULES], { stdio: ["ignore", "pipe", "pipe"] }).toString();
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });
  it("has the alerts the fleet needs: a host below its reserve, VM start p95 regressed", () => {
    const alerts = (parse(fs.readFileSync(RULES, "utf8")) as { groups: { rules: { alert?: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(expect.arrayContaining(["IsolabHostBelowMemoryReserve", "IsolabVmStartP95Regressed"]));
  });
  it("the Prometheus Isolab starts loads them", async () => {
    const res = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { health: string }[] }[] } };
    expect(res.data.groups.map((g) => g.name).sort()).toEqual(["isolab-alerts", "isolab-recording"]);
  });
});

// The parts of a dashboard Grafana needs to import and draw it.
const GrafanaTarget = z.object({ refId: z.string().min(1), expr: z.string().min(1), datasource: z.object({ type: z.literal("prometheus"), uid: z.string() }) });
const GrafanaPanel = z.object({
  id: z.number().int().positive(),
  type: z.enum(["timeseries", "stat", "table", "gauge", "bargauge"]),
  title: z.string().min(1),
  gridPos: z.object({ x: z.number().int().min(0).max(23), y: z.number().int().min(0), w: z.number().int().min(1).max(24), h: z.number().int().min(1) }),
  targets: z.array(GrafanaTarget).min(1),
});
const GrafanaDashboard = z.object({
  title: z.string().min(1),
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  schemaVersion: z.number().int().min(30),
  panels: z.array(GrafanaPanel).min(1),
  templating: z.object({ list: z.array(z.object({ name: z.string(), type: z.string(), query: z.unknown() })) }),
  time: z.object({ from: z.string(), to: z.string() }),
});

describe("deploy/grafana", () => {
  const dashboard = GrafanaDashboard.parse(JSON.parse(fs.readFileSync(deploy("grafana", "isolab-fleet.json"), "utf8")));

  it("has the parts Grafana requires, panels inside the 24-column grid, ids and refIds unique", () => {
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) expect(new Set(p.targets.map((t) => t.refId)).size).toBe(p.targets.length);
  });
  it("uses only the variables it defines", () => {
    const defined = new Set(dashboard.templating.list.map((v) => v.name));
    for (const t of dashboard.panels.flatMap((p) => p.targets))
      for (const [, name] of t.expr.matchAll(/\$(\w+)/g)) if (!name.startsWith("__")) expect(defined, t.expr).toContain(name);
  });
});

/** Every PromQL expression Isolab ships, with Grafana's variables as Grafana would fill them. */
function expressions(): [string, string][] {
  const rules = (parse(fs.readFileSync(RULES, "utf8")) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] }).groups.flatMap((g) =>
    g.rules.map((r): [string, string] => [`rule ${r.record ?? r.alert}`, r.expr]),
  );
  const dashboard = JSON.parse(fs.readFileSync(deploy("grafana", "isolab-fleet.json"), "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
  const panels = dashboard.panels.flatMap((p) =>
    p.targets.map((t): [string, string] => [`panel ${p.title}`, t.expr.replaceAll("$__rate_interval", "1m").replaceAll("$host", ".+")]),
  );
  const fleet = Object.entries(FLEET_QUERIES).map(([n, q]): [string, string] => [`fleet ${n}`, q]);
  return [...rules, ...panels, ...fleet, ["fleet history", AVAILABLE_HISTORY.query]];
}

describe("every PromQL expression, evaluated by a real Prometheus", () => {
  it.each(expressions())("%s", async (_name, expr) => {
    await expect(instantQuery(base, expr)).resolves.toBeInstanceOf(Array);
  });
  it("a broken expression is refused (the check can fail)", async () => {
    await expect(instantQuery(base, "sum by (host (up)")).rejects.toThrow(/bad_data/);
  });
});
