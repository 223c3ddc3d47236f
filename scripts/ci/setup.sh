#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine: npm packages, then every
# scripts/ci/install.d/*.sh (test servers, browsers, VS Code). Each step is idempotent and fast
# when already done, so this runs before every full test run.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)

# npm ci empties node_modules first, so it runs only where nothing usable is installed — never on
# a node_modules that is a symlink (a git worktree sharing another checkout's packages).
if [ ! -L node_modules ] && { [ ! -d node_modules ] || ! npm ls --depth=0 >/dev/null 2>&1; }; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

for step in scripts/ci/install.d/*.sh; do
  [ -e "$step" ] || continue
  echo "setup: $(basename "$step")"
  bash "$step"
done
echo "setup: done in $(( $(date +%s) - started )) s"
