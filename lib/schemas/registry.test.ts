import { describe, expect, it } from "vitest";
import {
  parseRegistryJson,
  PullRequestSchema,
  PushRequestSchema,
  registryErrorCode,
  RegistryCatalogSchema,
  RegistryTagListSchema,
  RegistryUrlSchema,
} from "./registry";

// Bodies as Distribution 2.8 sends them (captured from docker-registry here).
describe("registry JSON", () => {
  it.each([
    ['{"repositories":["isolab/hello","probe"]}', ["isolab/hello", "probe"]],
    ['{"repositories":[]}', []],
    ['{"repositories":null}', []],
  ])("_catalog %s", (text, repos) => expect(parseRegistryJson(RegistryCatalogSchema, text)?.repositories).toEqual(repos));

  it.each([
    ['{"name":"isolab/hello","tags":["1","latest"]}', ["1", "latest"]],
    ['{"name":"isolab/hello","tags":null}', []],
  ])("tags/list %s", (text, tags) => expect(parseRegistryJson(RegistryTagListSchema, text)?.tags).toEqual(tags));

  it.each(["", "not json", '{"repos":[]}', '{"repositories":"x"}', '{"name":1,"tags":[]}'])("null for %j", (text) => {
    expect(parseRegistryJson(RegistryCatalogSchema, text) ?? parseRegistryJson(RegistryTagListSchema, text)).toBeNull();
  });

  it("reads the error code of an error body", () => {
    expect(registryErrorCode('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"nope"}}]}')).toBe("MANIFEST_UNKNOWN");
    expect(registryErrorCode("404 page not found")).toBeNull();
  });
});

describe("registry requests", () => {
  it.each([
    ["http://127.0.0.1:5000", true],
    ["https://registry.example.org", true],
    ["http://127.0.0.1:5000/v2/", false],
    ["ftp://x", false],
    ["http://user:pw@host", false],
    ["127.0.0.1:5000", false],
  ])("url %s valid: %s", (url, ok) => expect(RegistryUrlSchema.safeParse(url).success).toBe(ok));

  it("defaults a pull's tag to latest and refuses a bad repository", () => {
    expect(PullRequestSchema.parse({ repository: "isolab/hello" })).toEqual({ repository: "isolab/hello", tag: "latest" });
    expect(PullRequestSchema.safeParse({ repository: "../x" }).success).toBe(false);
    expect(PushRequestSchema.safeParse({ image: "hello:1", extra: 1 }).success).toBe(false);
  });
});
