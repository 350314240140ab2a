import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { effectiveEnv, shellQuote, vmInitScript, VM_BUSYBOX_PATH } from "./init";

describe("shellQuote", () => {
  it.each(["plain", "two words", "it's", "$(rm -rf /)", "`x`", "a\nb", "", "\\"])("round-trips %j through sh", (s) => {
    expect(execFileSync("sh", ["-c", `printf %s ${shellQuote(s)}`], { encoding: "utf8" })).toBe(s);
  });
  it("refuses NUL", () => expect(() => shellQuote("a\0b")).toThrow(/NUL/));
});

describe("effectiveEnv", () => {
  it.each([
    [[], ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
    [
      ["PATH=/x", "A=1"],
      ["PATH=/x", "A=1"],
    ],
    [
      ["NOVALUE", "=bad", "B=2=3"],
      ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "B=2=3"],
    ],
  ])("%j", (env, expected) => expect(effectiveEnv(env)).toEqual(expected));
});

describe("vmInitScript", () => {
  const script = vmInitScript({ argv: ["/bin/sh", "-c", "echo 'hi there'; sleep 1"], env: ["FOO=a b"], cwd: "/srv/app" });

  it("runs with Isolab's busybox and starts the entrypoint quoted, in its directory, with only its environment", () => {
    expect(script.startsWith(`#!${VM_BUSYBOX_PATH} sh\n`)).toBe(true);
    expect(script).toContain(`cd '/srv/app' 2>/dev/null || cd /; exec ${VM_BUSYBOX_PATH} env -i 'PATH=`);
    expect(script).toContain(`'FOO=a b' '/bin/sh' '-c' 'echo '\\''hi there'\\''; sleep 1' ) &`);
  });

  it("starts the probe agent on ttyS1 and never lets pid 1 end", () => {
    expect(script).toContain("/.isolab/probe agent /dev/ttyS1");
    expect(script.trimEnd().split("\n").at(-1)).toMatch(/^while :; do .* sleep 3600; done$/);
  });

  it("is valid sh, with and without an entrypoint", () => {
    for (const s of [script, vmInitScript({ argv: [], env: [], cwd: "" })]) {
      expect(() => execFileSync("sh", ["-n"], { input: s })).not.toThrow();
    }
  });
});
