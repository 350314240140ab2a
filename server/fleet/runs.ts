import "server-only";
import { randomBytes } from "node:crypto";
import { FINISHED_STATUSES, type ExperimentStatus } from "@/lib/experiments/types";
import { RemoteExperimentSchema, type FleetRun, type FleetRunHost, type FleetRunInput, type RemoteExperiment } from "@/lib/schemas/fleet";
import { InvalidRequestError, NotFoundError } from "@/server/errors";
import type { Db } from "@/server/store/db";
import { callHost } from "./host-api";
import type { FleetHosts } from "./hosts";

// One startup or density plan run on several hosts at once, each by its own
// Isolab (POST /api/experiments with the token stored for it), so each
// host measures itself and keeps its own run. Isolab keeps the link (the
// fleet_runs table) and, once every host has finished, their records, so
// the comparison stays when a host goes away.

interface Row {
  id: string;
  plan: string;
  hosts: string;
  results: string | null;
  created_at: string;
  finished_at: string | null;
}
type Link = { name: string; url: string; experimentId: string | null; error: string | null };

const finished = (r: RemoteExperiment | null) => r !== null && FINISHED_STATUSES.includes(r.status as ExperimentStatus);

export function createFleetRuns(deps: { db: Db; hosts: FleetHosts }) {
  const { db, hosts } = deps;

  function targetOf(name: string) {
    const t = hosts.list().find((h) => h.name === name);
    if (!t) throw new InvalidRequestError(`No host named "${name}" in the fleet; add it first.`, { field: "hosts" });
    return { name, url: t.url, token: hosts.token(name) };
  }

  async function submit(input: FleetRunInput): Promise<FleetRun> {
    const targets = input.hosts.map(targetOf);
    const id = `f${randomBytes(5).toString("hex")}`;
    const links = await Promise.all(
      targets.map(async (t): Promise<Link> => {
        try {
          const answer = (await callHost(t, "POST", "/api/experiments", input.plan)) as { id?: unknown };
          if (typeof answer.id !== "string") throw new Error(`${t.name} gave no experiment id`);
          return { name: t.name, url: t.url, experimentId: answer.id, error: null };
        } catch (err) {
          return { name: t.name, url: t.url, experimentId: null, error: (err as Error).message };
        }
      }),
    );
    db.prepare("INSERT INTO fleet_runs (id, plan, hosts, created_at) VALUES (?, ?, ?, ?)").run(
      id,
      JSON.stringify(input.plan),
      JSON.stringify(links),
      new Date().toISOString(),
    );
    return get(id);
  }

  function row(id: string): Row {
    const r = db.prepare("SELECT * FROM fleet_runs WHERE id = ?").get(id) as Row | undefined;
    if (!r) throw new NotFoundError(`No fleet run ${id}.`);
    return r;
  }

  /** Each host's run as it stands: asked of the hosts until all have finished, then from the stored copy. */
  async function get(id: string): Promise<FleetRun> {
    const r = row(id);
    const links = JSON.parse(r.hosts) as Link[];
    const stored = r.results ? (JSON.parse(r.results) as Record<string, RemoteExperiment | null>) : null;
    const views = await Promise.all(
      links.map(async (l): Promise<FleetRunHost> => {
        const base = { name: l.name, url: l.url, experimentId: l.experimentId };
        if (!l.experimentId) return { ...base, record: null, problem: l.error };
        if (stored) return { ...base, record: stored[l.name] ?? null, problem: null };
        try {
          const t = targetOf(l.name);
          const answer = await callHost({ ...t, url: l.url }, "GET", `/api/experiments/${encodeURIComponent(l.experimentId)}`);
          const parsed = RemoteExperimentSchema.safeParse(answer);
          if (!parsed.success) return { ...base, record: null, problem: `${l.name} answered a record Isolab cannot read` };
          // The raw samples stay on that host; the comparison needs the summary.
          const { samples: _samples, ...record } = parsed.data as RemoteExperiment & { samples?: unknown };
          return { ...base, record, problem: null };
        } catch (err) {
          return { ...base, record: null, problem: (err as Error).message };
        }
      }),
    );
    const done = !stored && views.every((v) => !v.experimentId || finished(v.record));
    if (done) {
      const results = Object.fromEntries(views.map((v) => [v.name, v.record]));
      const finishedAt = new Date().toISOString();
      db.prepare("UPDATE fleet_runs SET results = ?, finished_at = ? WHERE id = ? AND results IS NULL").run(JSON.stringify(results), finishedAt, id);
      return { id, plan: JSON.parse(r.plan), createdAt: r.created_at, finishedAt, hosts: views };
    }
    return { id, plan: JSON.parse(r.plan), createdAt: r.created_at, finishedAt: r.finished_at, hosts: views };
  }

  /** Newest first, as stored (no host is asked). */
  function list(limit = 50): { id: string; plan: unknown; hosts: string[]; createdAt: string; finishedAt: string | null }[] {
    const rows = db.prepare("SELECT * FROM fleet_runs ORDER BY created_at DESC LIMIT ?").all(limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      plan: JSON.parse(r.plan),
      hosts: (JSON.parse(r.hosts) as Link[]).map((l) => l.name),
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    }));
  }

  return { submit, get, list };
}

export type FleetRuns = ReturnType<typeof createFleetRuns>;
