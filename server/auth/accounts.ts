import "server-only";
import { hash, verify } from "@node-rs/argon2";
import type { Role } from "@/lib/auth/roles";
import type { UserInfo } from "@/lib/schemas/access";
import { ConflictError, NotFoundError } from "@/server/errors";
import type { Db } from "@/server/store/db";

// Isolab's own accounts. Passwords are hashed with argon2id (memory-hard,
// @node-rs/argon2's defaults: 19 MiB, 2 passes — OWASP's recommendation);
// the PHC string carries its own salt and parameters.

const ARGON2ID = 2; // Algorithm.Argon2id: a const enum, unusable under isolatedModules

/** Verified against when the name is unknown, so that a wrong name costs as long as a wrong password. */
let decoy: Promise<string> | undefined;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

interface UserRow {
  name: string;
  role: Role;
  password_hash: string;
  created_at: number;
}

export class UserStore {
  constructor(private readonly db: Db) {}

  async add(name: string, role: Role, password: string, now = Date.now()): Promise<UserInfo> {
    const passwordHash = await hashPassword(password);
    try {
      this.db.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)").run(name, role, passwordHash, now);
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new ConflictError(`An account named "${name}" exists already.`);
      throw err;
    }
    return { name, role, createdAt: now };
  }

  async setPassword(name: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    const r = this.db.prepare("UPDATE users SET password_hash = ? WHERE name = ?").run(passwordHash, name);
    if (r.changes === 0) throw noSuchUser(name);
    // A new password ends the sessions the old one opened.
    this.db.prepare("DELETE FROM sessions WHERE user_name = ?").run(name);
  }

  setRole(name: string, role: Role): void {
    if (this.db.prepare("UPDATE users SET role = ? WHERE name = ?").run(role, name).changes === 0) throw noSuchUser(name);
  }

  /** Removes the account; its sessions go with it (ON DELETE CASCADE). */
  remove(name: string): void {
    if (this.db.prepare("DELETE FROM users WHERE name = ?").run(name).changes === 0) throw noSuchUser(name);
  }

  list(): UserInfo[] {
    const rows = this.db.prepare("SELECT name, role, created_at FROM users ORDER BY name").all() as UserRow[];
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at }));
  }

  get(name: string): UserInfo | undefined {
    const r = this.db.prepare("SELECT name, role, created_at FROM users WHERE name = ?").get(name) as UserRow | undefined;
    return r && { name: r.name, role: r.role, createdAt: r.created_at };
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n;
  }

  /** The account when the password is right, else undefined; an unknown name costs one argon2 verification too. */
  async verify(name: string, password: string): Promise<UserInfo | undefined> {
    const r = this.db.prepare("SELECT * FROM users WHERE name = ?").get(name) as UserRow | undefined;
    if (!r) {
      await verify(await (decoy ??= hashPassword("isolab-decoy-password")), password).catch(() => false);
      return undefined;
    }
    const ok = await verify(r.password_hash, password).catch(() => false);
    return ok ? { name: r.name, role: r.role, createdAt: r.created_at } : undefined;
  }
}

function noSuchUser(name: string): NotFoundError {
  return new NotFoundError(`No account is named "${name}"; npm run access -- user list shows them.`);
}
