import "server-only";

// Versioned schema changes, applied in order, each in its own transaction,
// recorded in schema_migrations. Never edit a released migration: add one.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "experiments and raw samples",
    sql: `
      CREATE TABLE experiments (
        id          TEXT PRIMARY KEY,
        type        TEXT NOT NULL,
        status      TEXT NOT NULL,
        plan        TEXT NOT NULL,          -- JSON, the parsed plan
        environment TEXT,                   -- JSON, host facts when it started
        result      TEXT,                   -- JSON, the summary
        error       TEXT,
        progress    TEXT,                   -- JSON {done,total,message}
        created_at  TEXT NOT NULL,
        started_at  TEXT,
        finished_at TEXT
      );
      CREATE INDEX experiments_by_created ON experiments (created_at);
      CREATE TABLE samples (
        experiment_id TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
        seq           INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        sample        TEXT NOT NULL,        -- startup | idle | cpu | stream | syscall | io
        rep           INTEGER NOT NULL,
        warmup        INTEGER NOT NULL DEFAULT 0,
        accel         TEXT,
        value_json    TEXT NOT NULL,        -- JSON {key_unit: number}
        error         TEXT,
        taken_at      TEXT NOT NULL,
        PRIMARY KEY (experiment_id, seq)
      );
    `,
  },
  {
    version: 2,
    name: "owner of a queued or running experiment",
    // Several processes may share one database (the server and
    // \`npm run experiment\`); a restart interrupts only its own orphans.
    sql: `ALTER TABLE experiments ADD COLUMN owner TEXT;
          CREATE INDEX experiments_by_status ON experiments (status);`,
  },
  {
    version: 3,
    name: "audit log",
    // AUTOINCREMENT: ids are never reused after old rows are pruned, so a
    // page cursor (rows older than id N) stays meaningful.
    sql: `
      CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          INTEGER NOT NULL,       -- ms since the epoch, the request's arrival
        actor       TEXT NOT NULL,
        role        TEXT,
        action      TEXT NOT NULL,
        target      TEXT,
        from_addr   TEXT NOT NULL,
        result      INTEGER NOT NULL,       -- HTTP status
        duration_ms REAL NOT NULL,
        detail      TEXT
      );
      CREATE INDEX audit_log_by_at ON audit_log (at);
    `,
  },
  {
    // 4, not 3: the audit log's migration (another branch) takes 3.
    version: 4,
    name: "accounts, sessions and API tokens",
    // Secrets are never stored: passwords as argon2id hashes, session ids and
    // tokens as SHA-256 hex digests. A session belongs to a user or to the
    // token it was opened with, so removing either ends its sessions.
    sql: `
      CREATE TABLE users (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
      );
      CREATE TABLE api_tokens (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        token_hash   TEXT NOT NULL UNIQUE,
        created_at   INTEGER NOT NULL,
        created_by   TEXT NOT NULL,
        last_used_at INTEGER
      );
      CREATE TABLE sessions (
        id_hash      TEXT PRIMARY KEY,
        user_name    TEXT REFERENCES users (name) ON DELETE CASCADE,
        token_id     TEXT REFERENCES api_tokens (id) ON DELETE CASCADE,
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        CHECK ((user_name IS NULL) <> (token_id IS NULL))
      );
    `,
  },
  {
    // 5, not 4: accounts take 4.
    version: 5,
    name: "fleet runs: one plan run on several hosts",
    // Each host runs (and keeps) its own experiment; this row links them and,
    // once every host has finished, keeps their records so the comparison
    // survives a host that goes away.
    sql: `CREATE TABLE fleet_runs (
            id          TEXT PRIMARY KEY,
            plan        TEXT NOT NULL,      -- JSON, the parsed plan sent to every host
            hosts       TEXT NOT NULL,      -- JSON [{ name, url, experimentId, error }]
            results     TEXT,               -- JSON { host: record without samples }, once all finished
            created_at  TEXT NOT NULL,
            finished_at TEXT
          );
          CREATE INDEX fleet_runs_by_created ON fleet_runs (created_at);`,
  },
];
