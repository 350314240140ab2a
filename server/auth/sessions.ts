import "server-only";
import type { Role } from "@/lib/auth/roles";
import type { Db } from "@/server/store/db";
import { digestsEqual, newSecret, sha256Hex } from "./secrets";

// Server-side sessions: the browser holds a random 32-byte id in an
// HttpOnly, SameSite=Strict cookie; the database holds its SHA-256, the
// account (or the token signed in with) and two times. The role is read
// from the account or token at each request, so a role change or a removal
// takes effect at once.

export const SESSION_COOKIE = "isolab_session";
/** Idle: a session unused this long is over. */
export const SESSION_IDLE_MS = 12 * 3600_000;
/** Absolute: however busy, a session ends this long after sign-in. */
export const SESSION_ABSOLUTE_MS = 24 * 3600_000;
/** last_seen_at is written at most this often (reads should not all write). */
const TOUCH_RESOLUTION_MS = 60_000;

export type SessionOwner = { user: string } | { tokenId: string };

interface SessionRow {
  id_hash: string;
  created_at: number;
  last_seen_at: number;
  user_name: string | null;
  token_id: string | null;
  user_role: Role | null;
  token_name: string | null;
  token_role: Role | null;
}

export interface SessionFound {
  name: string;
  role: Role;
}

export class SessionStore {
  constructor(private readonly db: Db) {}

  /** Opens a session and answers its id: the cookie's value, never stored. */
  open(owner: SessionOwner, now = Date.now()): string {
    const id = newSecret();
    const user = "user" in owner ? owner.user : null;
    const token = "tokenId" in owner ? owner.tokenId : null;
    this.db
      .prepare("INSERT INTO sessions (id_hash, user_name, token_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)")
      .run(sha256Hex(id), user, token, now, now);
    this.prune(now);
    return id;
  }

  /** The session's holder, or undefined when the id is unknown, idle too long or too old (an expired row is deleted). */
  find(id: string, now = Date.now()): SessionFound | undefined {
    if (id.length === 0 || id.length > 100) return undefined;
    const digest = sha256Hex(id);
    const r = this.db
      .prepare(
        `SELECT s.*, u.role AS user_role, t.name AS token_name, t.role AS token_role
           FROM sessions s LEFT JOIN users u ON u.name = s.user_name LEFT JOIN api_tokens t ON t.id = s.token_id
          WHERE s.id_hash = ?`,
      )
      .get(digest) as SessionRow | undefined;
    if (!r || !digestsEqual(r.id_hash, digest)) return undefined;
    if (expired(r, now)) {
      this.db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(r.id_hash);
      return undefined;
    }
    if (now - r.last_seen_at >= TOUCH_RESOLUTION_MS) this.db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").run(now, r.id_hash);
    if (r.user_name !== null && r.user_role !== null) return { name: r.user_name, role: r.user_role };
    if (r.token_name !== null && r.token_role !== null) return { name: r.token_name, role: r.token_role };
    return undefined;
  }

  /** Sign-out: the row is deleted, so the cookie opens nothing even if it was copied. */
  close(id: string): void {
    this.db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(sha256Hex(id));
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM sessions").get() as { n: number }).n;
  }

  /** Drops expired rows (at each sign-in, so the table stays the size of the live sessions). */
  private prune(now: number): void {
    this.db.prepare("DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?").run(now - SESSION_IDLE_MS, now - SESSION_ABSOLUTE_MS);
  }
}

function expired(r: Pick<SessionRow, "created_at" | "last_seen_at">, now: number): boolean {
  return now - r.last_seen_at >= SESSION_IDLE_MS || now - r.created_at >= SESSION_ABSOLUTE_MS;
}
