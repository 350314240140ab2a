import "server-only";
import type { Role } from "@/lib/auth/roles";
import type { TokenInfo } from "@/lib/schemas/access";
import { NotFoundError } from "@/server/errors";
import type { Db } from "@/server/store/db";
import { digestsEqual, newId, newSecret, sha256Hex } from "./secrets";

// API tokens for scripts: `Authorization: Bearer isolab_…`, each with a name
// and a role. Only the SHA-256 is kept; the token itself is shown once.

export const TOKEN_PREFIX = "isolab_";

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  token_hash: string;
  created_at: number;
  created_by: string;
  last_used_at: number | null;
}

/** last_used_at is written at most this often per token (a busy script should not write on every request). */
const LAST_USED_RESOLUTION_MS = 60_000;

export class TokenStore {
  constructor(private readonly db: Db) {}

  /** A new token; `token` is the only copy of the secret there will ever be. */
  create(name: string, role: Role, createdBy: string, now = Date.now()): { info: TokenInfo; token: string } {
    const id = newId();
    const token = TOKEN_PREFIX + newSecret();
    this.db
      .prepare("INSERT INTO api_tokens (id, name, role, token_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)")
      .run(id, name, role, sha256Hex(token), now, createdBy);
    return { info: { id, name, role, createdAt: now, createdBy, lastUsedAt: null }, token };
  }

  list(): TokenInfo[] {
    return (this.db.prepare("SELECT * FROM api_tokens ORDER BY created_at, id").all() as TokenRow[]).map(info);
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM api_tokens").get() as { n: number }).n;
  }

  /** Revokes the token and every session opened with it. */
  revoke(id: string): void {
    if (this.db.prepare("DELETE FROM api_tokens WHERE id = ?").run(id).changes === 0) {
      throw new NotFoundError(`No token has the id "${id}"; npm run access -- token list shows them.`);
    }
  }

  get(id: string): TokenInfo | undefined {
    const r = this.db.prepare("SELECT * FROM api_tokens WHERE id = ?").get(id) as TokenRow | undefined;
    return r && info(r);
  }

  /** The token's record when `token` is one Isolab issued and has not revoked. */
  find(token: string, now = Date.now()): TokenInfo | undefined {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const digest = sha256Hex(token);
    // The lookup is by digest (an index, no secret compared byte by byte);
    // the digest is compared again in constant time before it is trusted.
    const r = this.db.prepare("SELECT * FROM api_tokens WHERE token_hash = ?").get(digest) as TokenRow | undefined;
    if (!r || !digestsEqual(r.token_hash, digest)) return undefined;
    if (r.last_used_at === null || now - r.last_used_at >= LAST_USED_RESOLUTION_MS) {
      this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now, r.id);
      r.last_used_at = now;
    }
    return info(r);
  }
}

function info(r: TokenRow): TokenInfo {
  return { id: r.id, name: r.name, role: r.role, createdAt: r.created_at, createdBy: r.created_by, lastUsedAt: r.last_used_at };
}
