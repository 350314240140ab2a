import { NextResponse } from "next/server";
import { roleAtLeast } from "@/lib/auth/roles";
import { experimentRole } from "@/lib/experiments/registry";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { getApp } from "@/server/app";
import { ForbiddenError } from "@/server/errors";
import { requestPrincipal } from "@/server/http/principal";
import { parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Past and current runs, newest first, without raw samples. */
export const GET = route(async () => {
  return NextResponse.json({ experiments: (await getApp()).runner.list() });
});

/** Queues a run (one runs at a time, the rest wait as `queued`); 202 with its id. */
export const POST = route(async (req: Request) => {
  const plan = await parseBody(req, ExperimentPlanSchema);
  // The front door let an operator through; a type that changes the host for everyone (KSM) needs admin.
  const needed = experimentRole(plan.type);
  if (needed !== "operator") {
    const who = requestPrincipal(req);
    if (!roleAtLeast(who.role, needed)) {
      throw new ForbiddenError(
        `A ${plan.type} run changes the host's kernel settings for every process on it and needs the ${needed} role; ${who.name} is ${who.role}.`,
      );
    }
  }
  const item = (await getApp()).runner.submit(plan);
  return NextResponse.json({ id: item.id, status: item.status }, { status: 202, headers: { location: `/api/experiments/${item.id}` } });
});
