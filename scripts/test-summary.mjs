// Adds up vitest's and Playwright's JSON reports into the one closing line CI
// reads: "N passed, N failed". A failed step that produced no report (a type
// error, a failed build) counts as one failure.
import fs from "node:fs";

const [vitestFile, playwrightFile, failedStepsArg] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

const v = read(vitestFile);
if (v) {
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
const p = read(playwrightFile);
if (p?.stats) {
  passed += p.stats.expected ?? 0;
  failed += (p.stats.unexpected ?? 0) + (p.stats.flaky ?? 0);
  skipped += p.stats.skipped ?? 0;
}
const stepFailures = Number(failedStepsArg ?? 0);
if (stepFailures > 0 && failed === 0) failed = stepFailures;
console.log(`vitest ${v ? "reported" : "did not report"}; playwright ${p ? "reported" : "did not report"}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
