import { parseAuditQuery } from "@/lib/schemas/audit";
import { route } from "@/server/http/respond";
import { auditResponse } from "@/server/services/audit";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** The audit log as CSV, with the same filters as /api/audit. */
export const GET = route(async (req: Request) => auditResponse(await getApp(), parseAuditQuery(req.url, "csv")));
