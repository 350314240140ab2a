import { describe, expect, it } from "vitest";
import { parseReadyLine } from "./ready-line";

describe("parseReadyLine", () => {
  it.each([
    ["READY uptime=1.25 init_uptime=1.02", { uptimeSeconds: 1.25, initUptimeSeconds: 1.02 }],
    ["READY uptime=0.5", { uptimeSeconds: 0.5, initUptimeSeconds: undefined }],
    ["READY", { uptimeSeconds: undefined, initUptimeSeconds: undefined }],
    ["READY\r", { uptimeSeconds: undefined, initUptimeSeconds: undefined }],
    ["READY uptime=abc", { uptimeSeconds: undefined, initUptimeSeconds: undefined }],
  ])("parses %j", (line, expected) => expect(parseReadyLine(line)).toEqual(expected));

  it.each(["", "NOT READY", "READYX", "1|READY"])("rejects %j", (line) => expect(parseReadyLine(line)).toBeNull());
});
