import { parseAuditQuery } from "@/lib/schemas/audit";
import { route } from "@/server/http/respond";
import { auditResponse } from "@/server/services/audit";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** The audit log, newest first: ?actor=&action=&result=&since=&until=&limit=&cursor=; &format=csv for a download. */
export const GET = route(async (req: Request) => auditResponse(await getApp(), parseAuditQuery(req.url)));
