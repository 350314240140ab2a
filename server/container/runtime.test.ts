import { describe, expect, it } from "vitest";
import { RuncListSchema, RuncStateSchema } from "@/lib/schemas/oci";
import { lastLine, meansGone, parseVersionOutput, runtimeErrorMessage } from "./cli";
import { MissingDependencyError } from "@/server/errors";
import { RuncRuntime } from "./runc";
import { toContainerState } from "./runtime";

// Real outputs of runc 1.1.5 and crun 1.8.1 on this project's hosts.
const RUNC_STATE = `{
  "ociVersion": "1.0.2-dev",
  "id": "e1",
  "pid": 7806,
  "status": "running",
  "bundle": "/tmp/bexp",
  "rootfs": "/tmp/isolab-dev-rootfs",
  "created": "2026-11-29T01:19:25.776338646Z",
  "owner": ""
}`;

describe("runc JSON", () => {
  it("maps runc state to the domain shape", () => {
    expect(toContainerState(RuncStateSchema.parse(JSON.parse(RUNC_STATE)))).toEqual({
      id: "e1",
      pid: 7806,
      status: "running",
      bundle: "/tmp/bexp",
      createdAt: "2026-11-29T01:19:25.776338646Z",
    });
  });

  it("reports a dead init as pid null", () => {
    const stopped = RuncStateSchema.parse({ ...JSON.parse(RUNC_STATE), pid: 0, status: "stopped" });
    expect(toContainerState(stopped).pid).toBeNull();
  });

  it("reads runc's `null` for an empty list", () => {
    expect(RuncListSchema.parse(null)).toEqual([]);
    expect(RuncListSchema.parse([JSON.parse(RUNC_STATE)])).toHaveLength(1);
  });

  it("refuses a state it does not understand", () => {
    expect(() => RuncStateSchema.parse({ ...JSON.parse(RUNC_STATE), status: "exploded" })).toThrow();
    expect(() => RuncStateSchema.parse({ id: "x" })).toThrow();
  });
});

describe("runtime CLI output", () => {
  it.each([
    [`time="2026-11-29T01:19:26Z" level=error msg="container does not exist"`, "container does not exist"],
    [
      `time="2026-11-29T01:19:26Z" level=error msg="exec failed: unable to start container process: exec: \\"/bin/nope\\": stat /bin/nope: no such file or directory"`,
      'exec failed: unable to start container process: exec: "/bin/nope": stat /bin/nope: no such file or directory',
    ],
    [
      "crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2",
      "cgroups in hybrid mode not supported, drop all controllers from cgroupv2",
    ],
    ["READY uptime=1.2\nunknown command bogus", null],
  ])("finds the runtime's own error in %j", (text, message) => expect(runtimeErrorMessage(text)).toBe(message));

  it("takes the last of several runtime errors", () => {
    const text = `time="t" level=error msg="first"\nprogram output\ntime="t" level=fatal msg="second"\n`;
    expect(runtimeErrorMessage(text)).toBe("second");
  });

  it.each([
    ["runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n", "1.1.5+ds1"],
    ["crun version 1.8.1\ncommit: f8a096be\n", "1.8.1"],
    ["garbage", null],
  ])("parses the version of %j", (text, version) => expect(parseVersionOutput(text)).toBe(version));

  it.each(["container does not exist", "container not running", 'container "x" does not exist'])("treats %j as gone", (m) => expect(meansGone(m)).toBe(true));
  it("does not treat other failures as gone", () => expect(meansGone("permission denied")).toBe(false));

  it("takes the last non-empty line", () => {
    expect(lastLine("a\nb\n\n")).toBe("b");
    expect(lastLine("")).toBe("");
  });
});

describe("a missing runtime binary", () => {
  it("is a MissingDependencyError naming the runtime", async () => {
    const runc = new RuncRuntime("/nonexistent/root", "/nonexistent/bin/runc");
    const err = await runc.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as MissingDependencyError).part).toBe("runc");
  });
});
