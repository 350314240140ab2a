import { NextResponse } from "next/server";
import { SignInSchema } from "@/lib/schemas/access";
import { getApp } from "@/server/app";
import { AUDIT_NOTE_HEADER, auditNoteHeader } from "@/lib/audit/note";
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from "@/server/auth/sessions";
import { isIsolabError } from "@/server/errors";
import { requestFrom, requestSecure } from "@/server/http/principal";
import { errorResponse, parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/**
 * Username and password, or an API token: a session cookie on success; 401 or
 * 429 (rate-limited) otherwise. Either way the audit row (written by the
 * server when the answer has gone) names the action "sign-in" and whom it was for.
 */
export const POST = route(async (req: Request) => {
  const input = await parseBody(req, SignInSchema);
  const tried = "username" in input ? input.username.slice(0, 128) : "(token)";
  const note = { action: "sign-in", actor: tried, target: "username" in input ? `account ${tried}`.slice(0, 256) : "token" };
  const app = await getApp();
  const from = requestFrom(req);
  try {
    const { sessionId, principal } = await app.auth.signIn(input, from);
    const res = NextResponse.json({ name: principal.name, role: principal.role });
    res.headers.set(AUDIT_NOTE_HEADER, auditNoteHeader({ ...note, actor: principal.name.slice(0, 128), role: principal.role }));
    res.cookies.set(SESSION_COOKIE, sessionId, {
      httpOnly: true,
      sameSite: "strict",
      secure: requestSecure(req),
      path: "/",
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
    return res;
  } catch (err) {
    const res = errorResponse(err);
    res.headers.set(AUDIT_NOTE_HEADER, auditNoteHeader({ ...note, detail: (err as Error).message.slice(0, 512) }));
    const wait = (isIsolabError(err) && (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds) || undefined;
    if (wait) res.headers.set("retry-after", String(wait));
    return res;
  }
});
