import "server-only";
import type {
  ExperimentEnvironment,
  ExperimentListItem,
  ExperimentProgress,
  ExperimentRecord,
  ExperimentResult,
  ExperimentSample,
  ExperimentStatus,
  ExperimentType,
} from "@/lib/experiments/types";
import type { Db } from "./db";

// Experiments and their raw samples in SQLite. Every write is one statement
// or one transaction, so a kill at any point leaves a readable history.

interface ExperimentRow {
  id: string;
  type: string;
  status: string;
  plan: string;
  environment: string | null;
  result: string | null;
  error: string | null;
  progress: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  owner: string | null;
}

interface SampleRow {
  seq: number;
  kind: string;
  sample: string;
  rep: number;
  warmup: number;
  accel: string | null;
  value_json: string;
  error: string | null;
  taken_at: string;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function toItem(r: ExperimentRow): ExperimentListItem {
  return {
    id: r.id,
    type: r.type as ExperimentType,
    status: r.status as ExperimentStatus,
    plan: json(r.plan),
    environment: json<ExperimentEnvironment>(r.environment),
    result: json<ExperimentResult>(r.result),
    error: r.error,
    progress: json<ExperimentProgress>(r.progress),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function toSample(r: SampleRow): ExperimentSample {
  const s: ExperimentSample = {
    seq: r.seq,
    kind: r.kind as ExperimentSample["kind"],
    sample: r.sample as ExperimentSample["sample"],
    rep: r.rep,
    warmup: r.warmup === 1,
    values: JSON.parse(r.value_json) as Record<string, number>,
    takenAt: r.taken_at,
  };
  if (r.accel) s.accel = r.accel as ExperimentSample["accel"];
  if (r.error) s.error = r.error;
  return s;
}

export class ExperimentStore {
  constructor(readonly db: Db) {}

  insert(e: { id: string; type: ExperimentType; plan: unknown; createdAt: string; owner: string }): void {
    this.db
      .prepare("INSERT INTO experiments (id, type, status, plan, created_at, owner) VALUES (?, ?, 'queued', ?, ?, ?)")
      .run(e.id, e.type, JSON.stringify(e.plan), e.createdAt, e.owner);
  }

  markRunning(id: string, startedAt: string, environment: ExperimentEnvironment): void {
    this.db.prepare("UPDATE experiments SET status = 'running', started_at = ?, environment = ? WHERE id = ?").run(startedAt, JSON.stringify(environment), id);
  }

  setEnvironment(id: string, environment: ExperimentEnvironment): void {
    this.db.prepare("UPDATE experiments SET environment = ? WHERE id = ?").run(JSON.stringify(environment), id);
  }

  setProgress(id: string, progress: ExperimentProgress): void {
    this.db.prepare("UPDATE experiments SET progress = ? WHERE id = ?").run(JSON.stringify(progress), id);
  }

  /** Ends a run; only a queued or running one, so a late writer never overwrites an earlier verdict. */
  finish(id: string, f: { status: ExperimentStatus; finishedAt: string; result?: ExperimentResult | null; error?: string | null }): boolean {
    const r = this.db
      .prepare(
        `UPDATE experiments SET status = ?, finished_at = ?, result = COALESCE(?, result), error = ?, owner = NULL
         WHERE id = ? AND status IN ('queued', 'running')`,
      )
      .run(f.status, f.finishedAt, f.result ? JSON.stringify(f.result) : null, f.error ?? null, id);
    return r.changes === 1;
  }

  addSample(id: string, s: ExperimentSample): void {
    this.db
      .prepare(
        `INSERT INTO samples (experiment_id, seq, kind, sample, rep, warmup, accel, value_json, error, taken_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, s.seq, s.kind, s.sample, s.rep, s.warmup ? 1 : 0, s.accel ?? null, JSON.stringify(s.values), s.error ?? null, s.takenAt);
  }

  samples(id: string): ExperimentSample[] {
    return (this.db.prepare("SELECT * FROM samples WHERE experiment_id = ? ORDER BY seq").all(id) as SampleRow[]).map(toSample);
  }

  getItem(id: string): ExperimentListItem | undefined {
    const row = this.db.prepare("SELECT * FROM experiments WHERE id = ?").get(id) as ExperimentRow | undefined;
    return row && toItem(row);
  }

  get(id: string): ExperimentRecord | undefined {
    const item = this.getItem(id);
    return item && { ...item, samples: this.samples(id) };
  }

  /** Newest first. */
  list(limit = 100): ExperimentListItem[] {
    return (this.db.prepare("SELECT * FROM experiments ORDER BY created_at DESC, rowid DESC LIMIT ?").all(limit) as ExperimentRow[]).map(toItem);
  }

  /** Unfinished runs with their owner, for the restart check. */
  unfinished(): { id: string; status: ExperimentStatus; owner: string | null }[] {
    return this.db.prepare("SELECT id, status, owner FROM experiments WHERE status IN ('queued', 'running')").all() as {
      id: string;
      status: ExperimentStatus;
      owner: string | null;
    }[];
  }
}
