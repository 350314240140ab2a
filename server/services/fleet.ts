import "server-only";
import type { FleetHost, FleetHostInput, FleetOverview, PrometheusStatus } from "@/lib/schemas/fleet";
import type { App } from "@/server/app/create-app";
import { fleetOverview } from "@/server/fleet/overview";

// The fleet's use cases: the overview the page draws, and the admin's
// changes to the hosts (each rewrites a running Prometheus's config and
// waits until Prometheus applied it).

export function overview(app: App): Promise<FleetOverview> {
  return fleetOverview(app.fleet);
}

export async function addHost(app: App, input: FleetHostInput): Promise<FleetHost> {
  const host = app.fleet.hosts.add(input);
  await app.fleet.prometheus.reload();
  // Answer once Isolab's Prometheus scrapes the host, so the page shows it within a scrape or two of the answer.
  // Past the wait the host is still added; its card says Prometheus has no target for it yet.
  await app.fleet.prometheus.waitForTarget(host.name);
  return host;
}

export async function removeHost(app: App, name: string): Promise<void> {
  app.fleet.hosts.remove(name);
  await app.fleet.prometheus.reload();
}

export function startPrometheus(app: App, url?: string): Promise<PrometheusStatus> {
  return url ? app.fleet.prometheus.useUrl(url) : app.fleet.prometheus.start();
}
