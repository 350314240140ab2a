import "server-only";
import { NextResponse } from "next/server";
import { ZodError, type ZodType } from "zod";
import { isIsolabError } from "@/server/errors";

// Route handlers do three things: parse, call server/, map errors. This is
// the "map errors" part, identical for every route.

export function errorResponse(err: unknown): NextResponse {
  if (isZodError(err)) {
    const issues = err.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
    const error = `Invalid request: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`;
    return NextResponse.json({ error, details: { issues } }, { status: 422 });
  }
  if (isIsolabError(err)) {
    return NextResponse.json({ error: err.message, details: err.details ?? null }, { status: err.status });
  }
  console.error("[isolab] unexpected error", err);
  return NextResponse.json({ error: `Internal error: ${(err as Error)?.message ?? String(err)}`, details: null }, { status: 500 });
}

// zod may be bundled more than once too; its errors say who they are.
function isZodError(err: unknown): err is ZodError {
  return err instanceof ZodError || (err instanceof Error && err.name === "ZodError" && Array.isArray((err as ZodError).issues));
}

/** Wraps a handler so every thrown error becomes a JSON `{ error, details }` response. */
export function route<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Parses a JSON body with a schema; a body that is not JSON is a 422 like any other bad input. */
export async function parseBody<T>(req: Request, schema: ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    const text = await req.text();
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ZodError([{ code: "custom", path: [], message: "the body is not valid JSON", input: undefined }]);
  }
  return schema.parse(body);
}
