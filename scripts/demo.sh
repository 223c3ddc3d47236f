#!/usr/bin/env bash
# `npm run demo`: VS Code (code-server 4.100.3 = VS Code 1.100.3) with the packaged extension on
# examples/demo/, at the printed http://127.0.0.1:<port>. Installs what it needs on a fresh
# machine (npm packages, scripts/ci/install.d/80-vscode.sh), builds and
# packages the extension, installs the .vsix, prepares the demo's git-ignored secrets file and
# runs code-server in the foreground until Ctrl-C, which stops it and everything it started.
#   npm run demo                 port 8080 when free, else another free one
#   PORT=9000 npm run demo       a fixed port
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=$root/.tools/demo
mkdir -p "$state/extensions" "$state/user-data/User"

# npm ci empties node_modules first, so it runs only where nothing usable is installed: never on
# a node_modules that is a symlink (a git worktree sharing another checkout's packages).
if [ ! -L node_modules ] && { [ ! -d node_modules ] || ! npm ls --depth=0 >/dev/null 2>&1; }; then
  echo "demo: npm ci"
  npm ci --no-audit --no-fund
fi
bash scripts/ci/install.d/80-vscode.sh

echo "demo: building and packaging the extension"
npm run --silent package >"$state/package.log" 2>&1 || { cat "$state/package.log" >&2; exit 1; }
node scripts/prepare-demo.mjs

code_server=(node "$root/.tools/code-server/node_modules/code-server/out/node/entry.js")
"${code_server[@]}" --extensions-dir "$state/extensions" --install-extension dist/connection-secrets.vsix --force >/dev/null

# The demo folder is this repository's own example: trust it so the extension runs in full mode,
# and keep a fresh VS Code from reaching for the network (updates, recommendations, telemetry).
node -e '
  const fs = require("fs");
  const file = process.argv[1];
  let settings = {};
  try { settings = JSON.parse(fs.readFileSync(file, "utf8")); } catch {}
  Object.assign(settings, {
    "security.workspace.trust.enabled": false,
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "workbench.startupEditor": "none",
    "git.openRepositoryInParentFolders": "never",
  });
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
' "$state/user-data/User/settings.json"

port_free() { node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(+process.argv[1],"127.0.0.1",()=>s.close(()=>process.exit(0)))' "$1"; }
port=${PORT:-8080}
if [ -z "${PORT:-}" ] && ! port_free "$port"; then
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi
url="http://127.0.0.1:$port"

# code-server gets a process group of its own: Ctrl-C reaches this script, which stops the whole
# group (code-server, its extension host, terminals) and waits for it.
setsid "${code_server[@]}" \
  --auth none \
  --bind-addr "127.0.0.1:$port" \
  --extensions-dir "$state/extensions" \
  --user-data-dir "$state/user-data" \
  --disable-telemetry \
  --disable-update-check \
  "$root/examples/demo" >"$state/code-server.log" 2>&1 &
pid=$!
stop() {
  trap - INT TERM EXIT
  if kill -0 "$pid" 2>/dev/null; then
    echo
    echo "demo: stopping code-server"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

for _ in $(seq 600); do
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$url/healthz"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "demo: code-server exited:" >&2
    cat "$state/code-server.log" >&2
    exit 1
  fi
  sleep 0.2
done

echo
echo "Connection Secrets demo: $url"
echo "  Open it in a browser, then the key icon (Connection Secrets) in the activity bar:"
echo "  Providers -> file -> the demo's secrets; Connections -> jira -> its resolved fields."
echo "  Log: .tools/demo/code-server.log. Ctrl-C stops it."
wait "$pid"
