import { describe, expect, it } from "vitest";
import { MAX_CAPTURED_OUTPUT_CHARS } from "@/lib/core/tail-text";
import { runCommand } from "./run-command";

describe("runCommand", () => {
  it("keeps the last part of an endless output and says it was truncated", async () => {
    const script = `process.stdout.write("x".repeat(${4 * MAX_CAPTURED_OUTPUT_CHARS})); process.stderr.write("y".repeat(${2 * MAX_CAPTURED_OUTPUT_CHARS})); setTimeout(() => process.stdout.write("END"), 50);`;
    let longest = 0;
    const r = await runCommand(process.execPath, ["-e", script], { onLine: (l) => (longest = Math.max(longest, l.length)) });
    expect(r.exitCode).toBe(0);
    expect(r.output.startsWith("[output truncated: the first ")).toBe(true);
    expect(r.output.endsWith("END")).toBe(true);
    expect(r.output.length).toBeLessThan(MAX_CAPTURED_OUTPUT_CHARS + 200);
    expect(r.stderr.length).toBeLessThan(MAX_CAPTURED_OUTPUT_CHARS + 200);
    expect(longest).toBeLessThan(MAX_CAPTURED_OUTPUT_CHARS);
  });

  it("returns short output untouched", async () => {
    const r = await runCommand(process.execPath, ["-e", 'console.log("hello")']);
    expect(r.output).toBe("hello\n");
  });
});
