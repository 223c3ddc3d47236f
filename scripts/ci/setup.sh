#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine: npm packages, then every
# scripts/ci/install.d/*.sh (test servers, browsers, VS Code). Each step is idempotent and fast
# when already done, so this runs before every full test run.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

for step in scripts/ci/install.d/*.sh; do
  [ -e "$step" ] || continue
  echo "setup: $(basename "$step")"
  bash "$step"
done
echo "setup: done in $(( $(date +%s) - started )) s"
