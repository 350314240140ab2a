import "server-only";
import { NextResponse } from "next/server";
import { ZodError, type ZodType } from "zod";
import { MAX_JSON_BODY_BYTES } from "@/lib/http/gate";
import { IsolabError, isIsolabError } from "@/server/errors";

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

/** A body past what a route reads (413); the gate refuses most by Content-Length, this catches streamed ones. */
export class PayloadTooLargeError extends IsolabError {
  override readonly status = 413;
}

/** Parses a JSON body with a schema; a body that is not JSON is a 422 like any other bad input. */
export async function parseBody<T>(req: Request, schema: ZodType<T>, limitBytes = MAX_JSON_BODY_BYTES): Promise<T> {
  const text = await readBoundedText(req, limitBytes);
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ZodError([{ code: "custom", path: [], message: "the body is not valid JSON", input: undefined }]);
  }
  return schema.parse(body);
}

/** The body as text, read chunk by chunk and abandoned as soon as it passes the limit (never buffered whole). */
async function readBoundedText(req: Request, limitBytes: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limitBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(`The JSON body is over ${limitBytes} bytes; Isolab reads at most ${limitBytes} bytes.`, { limitBytes });
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
