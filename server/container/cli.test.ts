import { describe, expect, it } from "vitest";
import { runCli } from "./cli";

describe("runCli", () => {
  it("collects both streams and the exit code", async () => {
    await expect(runCli("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])).resolves.toEqual({ code: 3, stdout: "out\n", stderr: "err\n" });
  });

  it("stops a command that prints without end and refuses its output, naming the limit", async () => {
    const err = await runCli("/usr/bin/yes", [], undefined, 64 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/`yes` printed more than 65536 characters; it was stopped/);
  });

  it("names a runtime that is not installed", async () => {
    await expect(runCli("no-such-runtime-isolab", ["state", "x"])).rejects.toMatchObject({ part: "no-such-runtime-isolab" });
  });
});
