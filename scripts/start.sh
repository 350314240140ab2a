#!/usr/bin/env bash
# npm start: set up what is missing, build when the sources changed, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components client lib server instrumentation.ts next.config.js package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  echo "[isolab] building the dashboard…"
  npx next build
fi
exec node scripts/serve.mjs
