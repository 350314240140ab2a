#!/usr/bin/env bash
# npm test: set up what is missing, then every suite — types, unit and
# integration tests (real runc and QEMU), the production build, browser tests
# in Debian's Chromium — then a leak check. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "set-up failed"; exit 1; }

mkdir -p e2e/artifacts
failed_steps=()
step() {
  local name=$1; shift
  echo "=== $name: $*"
  local t0=$SECONDS
  if "$@"; then echo "=== $name: ok in $((SECONDS - t0)) s"; else echo "=== $name: FAILED after $((SECONDS - t0)) s"; failed_steps+=("$name"); fi
}

step typecheck npx tsc --noEmit
step lint npm run lint
# The production build first: the integration tests that start the real
# server (the gate, TLS, audit, fleet, terminals) then serve it, several at
# once, instead of each compiling a development server (Next allows only one
# per directory).
step build npx next build
step vitest npx vitest run --reporter=default --reporter=json --outputFile=e2e/artifacts/vitest.json
step e2e npx playwright test
step leaks bash scripts/check-leaks.sh

node scripts/test-summary.mjs e2e/artifacts/vitest.json e2e/artifacts/report.json "${#failed_steps[@]}"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  exit 1
fi
