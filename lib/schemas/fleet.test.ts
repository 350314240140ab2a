import { describe, expect, it } from "vitest";
import { FleetHostInputSchema, PrometheusStartSchema } from "./fleet";

describe("FleetHostInputSchema", () => {
  it("accepts a host and trims the URL's trailing slash", () =>
    expect(FleetHostInputSchema.parse({ name: "node-b", url: "http://10.0.0.5:3000/", token: "abcdefgh12" })).toEqual({
      name: "node-b",
      url: "http://10.0.0.5:3000",
      token: "abcdefgh12",
    }));
  it.each([
    [{ name: "Node_B", url: "http://x:1" }, "name"],
    [{ name: "../etc", url: "http://x:1" }, "name"],
    [{ name: "b", url: "ftp://x" }, "url"],
    [{ name: "b", url: "http://user:pw@x" }, "url"],
    [{ name: "b", url: "http://x?token=1" }, "url"],
    [{ name: "b", url: "http://x", token: "short" }, "token"],
    [{ name: "b", url: "http://x", token: "has space inside" }, "token"],
    [{ name: "b", url: "http://x", extra: 1 }, ""],
  ])("refuses %j (%s)", (input, field) => {
    const r = FleetHostInputSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (field) expect(r.error?.issues[0]?.path[0]).toBe(field);
  });
});

describe("PrometheusStartSchema", () => {
  it("takes no URL (start Isolab's own) or an http(s) one", () => {
    expect(PrometheusStartSchema.parse({})).toEqual({});
    expect(PrometheusStartSchema.parse({ url: "http://prom:9090/" })).toEqual({ url: "http://prom:9090" });
    expect(PrometheusStartSchema.safeParse({ url: "file:///etc/passwd" }).success).toBe(false);
  });
});
