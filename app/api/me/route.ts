import { NextResponse } from "next/server";
import { requestPrincipal } from "@/server/http/principal";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Who the caller is: name, role and how they authenticated (the UI offers only what the role may do). */
export const GET = route(async (req: Request) => NextResponse.json(requestPrincipal(req)));
