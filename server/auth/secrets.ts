import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// Secrets Isolab hands out (session ids, API tokens) are 32 random bytes;
// only their SHA-256 is stored, so a copy of the database opens nothing.

/** 32 bytes from the CSPRNG, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256Hex(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Compares two hex digests in constant time (equal lengths by construction; unequal ones are simply unequal). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A short random id for rows people name (token ids in `token revoke ID`). */
export function newId(): string {
  return randomBytes(6).toString("hex");
}
