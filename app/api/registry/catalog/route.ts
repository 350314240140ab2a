import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { registryCatalog } from "@/server/services/registry";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Repositories and their tags (the registry's _catalog and tags/list). */
export const GET = route(async () => NextResponse.json(await registryCatalog(await getApp())));
