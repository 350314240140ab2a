import { describe, expect, it } from "vitest";
import { formatAgentRequest, parseAgentLine } from "./agent-protocol";

describe("parseAgentLine", () => {
  it.each([
    ["READY uptime=1.42 init_uptime=1.40", { type: "ready", ready: { uptimeSeconds: 1.42, initUptimeSeconds: 1.4 } }],
    ["READY uptime=0.91\r", { type: "ready", ready: { uptimeSeconds: 0.91, initUptimeSeconds: undefined } }],
    ['7|{"pong":true}', { type: "line", id: 7, line: '{"pong":true}' }],
    ["7|", { type: "line", id: 7, line: "" }],
    ["7|a|b#c", { type: "line", id: 7, line: "a|b#c" }],
    ["12#0", { type: "exit", id: 12, exitCode: 0 }],
    ["12#-1", { type: "exit", id: 12, exitCode: -1 }],
  ])("parses %j", (line, expected) => {
    expect(parseAgentLine(line)).toEqual(expected);
  });

  it.each(["", "[    1.2] Run /init as init process", "x|y", "12#", "12#x", "READY", "READYish uptime=1", "init: probe agent exited"])("ignores %j", (line) => {
    expect(parseAgentLine(line)).toBeNull();
  });
});

describe("formatAgentRequest", () => {
  it("joins id, command and args with single spaces", () => {
    expect(formatAgentRequest(3, "cpu", ["200"])).toBe("3 cpu 200\n");
    expect(formatAgentRequest(4, "info", [])).toBe("4 info\n");
  });
  it.each([["two words"], [""], ["a\nb"], ["tab\there"]])("refuses %j", (arg) => {
    expect(() => formatAgentRequest(1, "io", [arg])).toThrow(/free of spaces/);
  });
});
