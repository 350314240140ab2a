import { describe, expect, it } from "vitest";
import { registryConfigYaml } from "./registry-config";

describe("registryConfigYaml", () => {
  it("listens on loopback only, stores under the given directory, allows deletes", () => {
    const yaml = registryConfigYaml({ dataDir: "/state/registry/data", port: 5123, secret: "s3" });
    expect(yaml).toContain('addr: "127.0.0.1:5123"');
    expect(yaml).toContain('rootdirectory: "/state/registry/data"');
    expect(yaml).toMatch(/delete:\n\s+enabled: true/);
    expect(yaml).toContain('secret: "s3"');
  });
  it.each([
    [{ dataDir: "relative", port: 1, secret: "x" }, /absolute/],
    [{ dataDir: "/d", port: 70000, secret: "x" }, /port/],
  ])("refuses %j", (spec, message) => expect(() => registryConfigYaml(spec)).toThrow(message));
});
