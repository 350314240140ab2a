import { describe, expect, it } from "vitest";
import { canonicalRef, isBuiltInRef, localRefFromArchive, nameFromFileName, parseImageRef } from "./ref";

describe("parseImageRef", () => {
  it.each([
    ["probe", { name: "probe", tag: "latest" }],
    ["hello:1.0", { name: "hello", tag: "1.0" }],
    ["isolab/hello:v2_rc-1", { name: "isolab/hello", tag: "v2_rc-1" }],
    ["a.b__c--d/e", { name: "a.b__c--d/e", tag: "latest" }],
  ])("%s", (ref, parts) => expect(parseImageRef(ref)).toEqual(parts));

  it.each(["", "Hello", "../etc", "a/../b", "/abs", "a:", "a:-x", "127.0.0.1:5000/x", "a//b", "a b", `x:${"t".repeat(129)}`])("refuses %j", (ref) =>
    expect(parseImageRef(ref)).toBeNull(),
  );
});

describe("canonicalRef and the built-in image", () => {
  it.each([
    ["probe", "probe:latest", true],
    ["probe:latest", "probe:latest", true],
    ["probe:1", "probe:1", false],
    ["isolab/probe", "isolab/probe:latest", false],
  ])("%s", (ref, canonical, builtIn) => {
    expect(canonicalRef(ref)).toBe(canonical);
    expect(isBuiltInRef(ref)).toBe(builtIn);
  });
});

describe("localRefFromArchive", () => {
  it.each([
    ["docker.io/library/hello:1", "hello:1"],
    ["localhost:5000/isolab/app:2", "isolab/app:2"],
    ["registry.example.org/team/app", "team/app:latest"],
    ["hello:oci", "hello:oci"],
    ["app@sha256:abc", "app:latest"],
    ["Bad Name", null],
    [undefined, null],
  ])("%s → %s", (raw, ref) => expect(localRefFromArchive(raw)).toBe(ref));
});

describe("nameFromFileName", () => {
  it.each([
    ["My App_v2.tar.gz", "my-app_v2"],
    ["/tmp/hello.oci.tar", "hello"],
    ["...", "imported"],
  ])("%s → %s", (file, name) => expect(nameFromFileName(file)).toBe(name));
});
