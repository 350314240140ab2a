import "server-only";
import { z } from "zod";
import { RoleSchema, type Principal } from "@/lib/schemas/access";
import { AuthenticationError } from "@/server/errors";

// What scripts/serve.mjs tells route handlers about a request, in headers it
// sets after removing every incoming x-isolab-* header (so no client can
// send them): who is asking, from where, and whether over TLS.

const PrincipalSchema = z.object({ name: z.string(), role: RoleSchema, via: z.enum(["session", "token"]) });

/** The caller the front door admitted; a 401 if there is none (a public route, or a server without serve.mjs). */
export function requestPrincipal(req: Request): Principal {
  const raw = req.headers.get("x-isolab-principal");
  if (!raw) throw new AuthenticationError("This request was admitted without credentials; sign in first.");
  return PrincipalSchema.parse(JSON.parse(decodeURIComponent(raw)));
}

export function requestFrom(req: Request): string {
  return req.headers.get("x-isolab-remote") ?? "";
}

/** True when the request came over TLS: the session cookie is then marked Secure. */
export function requestSecure(req: Request): boolean {
  return req.headers.get("x-isolab-secure") === "1";
}
