import { NextResponse } from "next/server";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import { roleAtLeast } from "@/lib/auth/roles";
import { getApp } from "@/server/app";
import { ForbiddenError } from "@/server/errors";
import { requestPrincipal } from "@/server/http/principal";
import { parseBody, route } from "@/server/http/respond";
import { checkLaunchSnapshot } from "@/server/services/snapshots";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const { supervisor } = await getApp();
  return NextResponse.json({ instances: supervisor.list() });
});

export const POST = route(async (req: Request) => {
  // First thing: the start's `prepare` phase runs from here, so its total is what the caller waits for.
  const receivedAt = performance.now();
  const input = await parseBody(req, CreateInstanceSchema);
  // A privileged container is root on the host: an operator may start
  // confined instances, only an admin one that gives up confinement.
  if (input.privileged) {
    const who = requestPrincipal(req);
    if (!roleAtLeast(who.role, "admin")) {
      throw new ForbiddenError(
        `A privileged container is root on the host and needs the admin role; ${who.name} is ${who.role}. Launch it confined, or ask an admin.`,
      );
    }
  }
  // A named snapshot that cannot be restored is refused (404, 409, 422) before an instance exists.
  const app = await getApp();
  await checkLaunchSnapshot(app, input);
  const instance = await app.supervisor.create(input, { receivedAt });
  return NextResponse.json(instance, { status: 201 });
});
