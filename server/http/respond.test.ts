import { describe, expect, it } from "vitest";
import { z } from "zod";
import { errorResponse, parseBody } from "./respond";

const Schema = z.object({ name: z.string() }).passthrough();

function streamed(chunks: string[]): Request {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(encoder.encode(chunk));
      c.close();
    },
  });
  return new Request("http://127.0.0.1:3000/api/x", { method: "POST", body, duplex: "half" } as RequestInit);
}

describe("parseBody", () => {
  it("parses a body within the limit, streamed or not", async () => {
    await expect(parseBody(streamed(['{"na', 'me":"a"}']), Schema, 64)).resolves.toEqual({ name: "a" });
    await expect(parseBody(new Request("http://x/", { method: "POST", body: '{"name":"b"}' }), Schema)).resolves.toEqual({ name: "b" });
  });

  it("refuses a streamed body as soon as it passes the limit, with a 413 naming it", async () => {
    const err = await parseBody(streamed(['{"name":"', "x".repeat(40), "x".repeat(40), '"}']), Schema, 64).catch((e: unknown) => e);
    const res = errorResponse(err);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toContain("64 bytes");
  });

  it("keeps a body that is not JSON a 422", async () => {
    const res = errorResponse(await parseBody(streamed(["{"]), Schema).catch((e: unknown) => e));
    expect(res.status).toBe(422);
  });
});
