import { NextResponse } from "next/server";
import { AccountNameSchema } from "@/lib/schemas/access";
import { getApp } from "@/server/app";
import { ConflictError } from "@/server/errors";
import { requestPrincipal } from "@/server/http/principal";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ name: string }> };

/** Removes the account and its sessions; an admin cannot remove the account they are signed in with. */
export const DELETE = route(async (req: Request, { params }: Ctx) => {
  const name = AccountNameSchema.parse((await params).name);
  const me = requestPrincipal(req);
  if (me.via === "session" && me.name === name)
    throw new ConflictError("You cannot remove the account you are signed in with; sign in as another admin first.");
  (await getApp()).auth.users.remove(name);
  return new NextResponse(null, { status: 204 });
});
