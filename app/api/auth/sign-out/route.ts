import { NextResponse } from "next/server";
import { getApp } from "@/server/app";
import { SESSION_COOKIE } from "@/server/auth/sessions";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Deletes the session's row (a copied cookie opens nothing afterwards) and clears the cookie. */
export const POST = route(async (req: Request) => {
  (await getApp()).auth.signOut(req.headers.get("cookie") ?? undefined);
  const res = new NextResponse(null, { status: 204 });
  res.cookies.set(SESSION_COOKIE, "", { httpOnly: true, sameSite: "strict", path: "/", maxAge: 0 });
  return res;
});
