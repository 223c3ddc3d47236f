#!/usr/bin/env bash
# A real VS Code for the demo and the `vscode`/`ui` test tiers: Debian's Chromium and ripgrep, the
# build dependencies of VS Code's native modules, and code-server 4.100.3 (VS Code 1.100.3 on
# Node 20; later releases need Node 22+) in .tools/code-server/, a package of its own so that it
# is never one of the extension's dependencies. Idempotent: a finished install is left alone.
#   bash scripts/ci/install.d/80-vscode.sh          (as root on a fresh machine)
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
version=4.100.3
dir=$root/.tools/code-server
marker=$dir/.installed-$version
started=$(date +%s)

bash scripts/ci/apt-install.sh \
  libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config ripgrep chromium \
  g++ make python3

if [ -e "$marker" ] && [ -e "$dir/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  echo "80-vscode: code-server $version already installed in .tools/code-server"
  exit 0
fi

if [ "$(node -p 'process.versions.node.split(".")[0]')" != 20 ]; then
  echo "80-vscode: code-server $version needs Node 20 (found $(node -v))" >&2
  exit 1
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub unless this cache file exists; Debian's
# rg, packed as `rg` at the tarball's root, satisfies it.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_tar="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_tar" ]; then
  mkdir -p "$rg_cache"
  tar -czf "$rg_tar.partial" -C /usr/bin rg
  mv "$rg_tar.partial" "$rg_tar"
fi

rm -rf "$dir"
mkdir -p "$dir"
cp scripts/ci/code-server/package.json "$dir/package.json"
cd "$dir"
# code-server's postinstall runs `npm install` in lib/vscode and lib/vscode/extensions, which
# builds VS Code's native modules (node-pty, spdlog, kerberos, watcher …) from source there.
# As root npm drops privileges for scripts unless unsafe-perm is set, and the postinstall
# refuses to run without it.
echo "80-vscode: npm install code-server@$version (native modules build from source; 1–3 min)"
npm_config_yes=true npm_config_unsafe_perm=true \
  npm install --no-audit --no-fund --no-package-lock --loglevel=error

cs=$dir/node_modules/code-server
# The postinstall must have built the modules the server loads; a silently skipped script
# would only show up as a broken workbench later.
for native in \
  lib/vscode/node_modules/node-pty/build/Release/pty.node \
  lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
  lib/vscode/node_modules/native-watchdog/build/Release/watchdog.node \
  lib/vscode/node_modules/@vscode/ripgrep/bin/rg \
  lib/vscode/out/server-main.js; do
  if [ ! -e "$cs/$native" ]; then
    echo "80-vscode: $native is missing after install: code-server's install scripts did not run" >&2
    exit 1
  fi
done
"$cs/out/node/entry.js" --version >/dev/null 2>&1 || node "$cs/out/node/entry.js" --version >/dev/null
touch "$marker"
echo "80-vscode: code-server $version installed in $(( $(date +%s) - started )) s"
