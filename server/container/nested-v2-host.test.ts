import { describe, expect, it } from "vitest";
import { NESTED_TEST_FILES, parseReport } from "./nested-v2-host";

// The guest's report as guest/v2host/init and the vitest stand-in write it
// (through a tty: \r\n line ends).
const [engineFile, v2File] = NESTED_TEST_FILES;
const report = [
  'NESTED-HOST {"kernel":"6.1.0-57-cloud-amd64","controllers":"cpuset cpu io memory pids"}',
  'NESTED-RUN {"runtime":"runc"}',
  `NESTED-RESULT {"file":"${engineFile}","name":"a > passes","ok":true,"ms":5}`,
  `NESTED-RESULT {"file":"${engineFile}","name":"a > fails","ok":false,"error":"boom"}`,
  `NESTED-RESULT {"file":"${engineFile}","done":true}`,
  'NESTED-METRIC {"runtime":"runc","medianStartMs":812.5}',
  `NESTED-RESULT {"file":"${v2File}","name":"b > skipped on hybrid","skipped":true}`,
  "some stray output",
  "NESTED-EXIT 1",
  'NESTED-RUN {"runtime":"crun"}',
  "NESTED-FATAL cannot start a fresh isolab.service",
  "NESTED-DOCTOR-BEGIN",
  "{",
  '  "ok": true',
  "}",
  "NESTED-DOCTOR-END 0",
  "NESTED-END",
].join("\r\n");

describe("parseReport", () => {
  const run = parseReport(report);

  it("files each result under its runtime and test file", () => {
    const runcEngine = run.sections.find((s) => s.runtime === "runc" && s.file === engineFile)!;
    expect(runcEngine.results.map((r) => r.ok)).toEqual([true, false]);
    expect(runcEngine).toMatchObject({ done: true, exitCode: 1 });
    const runcV2 = run.sections.find((s) => s.runtime === "runc" && s.file === v2File)!;
    expect(runcV2).toMatchObject({ done: false, exitCode: 1, results: [{ skipped: true }] });
    expect(run.sections.filter((s) => s.runtime === "crun").every((s) => s.results.length === 0 && s.exitCode === null)).toBe(true);
  });

  it("reads the host line, the metrics, the doctor's multi-line JSON, fatal lines and the end", () => {
    expect(run.host).toEqual({ kernel: "6.1.0-57-cloud-amd64", controllers: "cpuset cpu io memory pids" });
    expect(run.metrics).toEqual([{ runtime: "runc", medianStartMs: 812.5 }]);
    expect(run.doctor).toEqual({ json: { ok: true }, exitCode: 0 });
    expect(run.fatal).toEqual(["cannot start a fresh isolab.service"]);
    expect(run.ended).toBe(true);
  });

  it("says the guest did not finish when its report stops midway", () => {
    const cut = parseReport(report.slice(0, report.indexOf("NESTED-EXIT")));
    expect(cut.ended).toBe(false);
    expect(cut.doctor).toBeNull();
  });
});
