import { NextResponse } from "next/server";
import { SignInSchema } from "@/lib/schemas/access";
import { getApp } from "@/server/app";
import { recordAudit } from "@/server/auth/audit-hook";
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from "@/server/auth/sessions";
import { isIsolabError } from "@/server/errors";
import { requestFrom, requestSecure } from "@/server/http/principal";
import { errorResponse, parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Username and password, or an API token: a session cookie on success; 401 or 429 (rate-limited) otherwise, with an audit row. */
export const POST = route(async (req: Request) => {
  const started = performance.now();
  const input = await parseBody(req, SignInSchema);
  const app = await getApp();
  const from = requestFrom(req);
  try {
    const { sessionId, principal } = await app.auth.signIn(input, from);
    const res = NextResponse.json({ name: principal.name, role: principal.role });
    res.cookies.set(SESSION_COOKIE, sessionId, {
      httpOnly: true,
      sameSite: "strict",
      secure: requestSecure(req),
      path: "/",
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
    return res;
  } catch (err) {
    const status = isIsolabError(err) ? err.status : 500;
    recordAudit(app, {
      at: Date.now(),
      actor: "username" in input ? input.username : "(token)",
      role: "",
      action: "sign-in",
      target: "username" in input ? `account ${input.username}` : "token",
      from,
      result: status,
      durationMs: Math.round(performance.now() - started),
      detail: (err as Error).message,
    });
    const res = errorResponse(err);
    const wait = (isIsolabError(err) && (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds) || undefined;
    if (wait) res.headers.set("retry-after", String(wait));
    return res;
  }
});
