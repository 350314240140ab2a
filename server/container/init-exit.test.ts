import { describe, expect, it } from "vitest";
import { describeInitExit, parseInitStatus, signalName } from "./init-exit";

// How an init that ended on its own is worded, from the shim's status and the cgroup's OOM count.

const MiB = 2 ** 20;
const facts = (over: Partial<Parameters<typeof describeInitExit>[0]> = {}) => ({ status: null, oomKills: 0, limitBytes: 64 * MiB, lastOutput: "", ...over });

describe("parseInitStatus", () => {
  it("reads the shim's two shapes and refuses anything else", () => {
    expect(parseInitStatus('{"pid":7,"code":3}\n')).toEqual({ pid: 7, code: 3 });
    expect(parseInitStatus('{"pid":7,"signal":9,"core":false}')).toEqual({ pid: 7, signal: 9, core: false });
    expect(parseInitStatus('{"pid":7}')).toBeNull();
    expect(parseInitStatus('{"pid":7,"co')).toBeNull();
  });
});

describe("describeInitExit", () => {
  it("names the signal that killed the init", () => {
    expect(signalName(9)).toBe("SIGKILL");
    expect(describeInitExit(facts({ status: { pid: 7, signal: 15, core: false }, lastOutput: "bye" }))).toEqual({
      code: null,
      signal: "SIGTERM",
      reason: "the container's init ended on its own: killed by SIGTERM (last output: bye)",
    });
  });

  it("calls a SIGKILL with an OOM kill in the cgroup the OOM killer's, with the limit", () => {
    expect(describeInitExit(facts({ status: { pid: 7, signal: 9, core: false }, oomKills: 1 }))).toEqual({
      code: null,
      signal: "SIGKILL",
      reason: "killed by the kernel's OOM killer at the memory limit of 64 MiB",
    });
  });

  it("keeps the exit code, and says when the OOM killer had killed something else in it", () => {
    expect(describeInitExit(facts({ status: { pid: 7, code: 3 }, oomKills: 2 }))).toMatchObject({
      code: 3,
      signal: null,
      reason: "the container's init exited on its own with code 3, after the OOM killer killed 2 processes in it",
    });
  });

  it("says the status is unknown without the shim's record, unless the cgroup counted an OOM kill", () => {
    expect(describeInitExit(facts({ lastOutput: "x" }))).toMatchObject({
      code: null,
      signal: null,
      reason: expect.stringMatching(/could not observe \(last output: x\)/),
    });
    expect(describeInitExit(facts({ oomKills: 1, limitBytes: null }))).toMatchObject({
      signal: "SIGKILL",
      reason: "killed by the kernel's OOM killer at the memory limit",
    });
  });
});
