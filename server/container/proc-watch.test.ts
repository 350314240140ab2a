import { describe, expect, it } from "vitest";
import { isAlive, parseProcStat, readProcStat } from "./proc-watch";

describe("parseProcStat", () => {
  it("reads state and start time", () => {
    const text = "7806 (probe) S 1 7806 7806 0 -1 4194560 98 0 0 0 0 0 0 0 20 0 1 0 35422 1032192 62 18446744073709551615 0\n";
    expect(parseProcStat(text)).toEqual({ state: "S", startTime: 35422 });
  });

  it("survives a comm with spaces and parentheses", () => {
    const text = "42 (a (b) c) Z 1 42 42 0 -1 4194560 98 0 0 0 0 0 0 0 20 0 1 0 99 0 0 0\n";
    expect(parseProcStat(text)).toEqual({ state: "Z", startTime: 99 });
  });

  it("returns null for garbage", () => {
    expect(parseProcStat("")).toBeNull();
    expect(parseProcStat("1 (x) S 1")).toBeNull();
  });

  it("knows this process is alive, and a recycled pid is not", () => {
    const me = readProcStat(process.pid);
    expect(me).not.toBeNull();
    expect(isAlive(process.pid, me!.startTime)).toBe(true);
    expect(isAlive(process.pid, me!.startTime + 1)).toBe(false);
  });
});
