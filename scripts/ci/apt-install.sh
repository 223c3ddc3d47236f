#!/usr/bin/env bash
# apt-get install for the packages not yet installed; `apt-get update` runs at most once per boot.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root: apt-get install -y ${missing[*]})" >&2
  exit 1
fi
# Helpers and parallel set-ups may install at once; dpkg allows one.
exec 9>/tmp/.connection-secrets-apt.lock
flock 9
marker=/tmp/.connection-secrets-apt-updated
if [ ! -e "$marker" ]; then
  apt-get update -qq
  touch "$marker"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
