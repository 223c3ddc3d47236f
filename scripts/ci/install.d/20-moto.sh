#!/usr/bin/env bash
# moto's server stands in for AWS Secrets Manager, STS and IAM in the aws integration tests and
# the aws bench. Pinned to the 5.2 line whose behaviour docs/providers/aws.md records.
set -euo pipefail
if command -v moto_server >/dev/null 2>&1 \
  && python3 -c 'import importlib.metadata as m, sys; v = m.version("moto"); sys.exit(0 if v.startswith("5.2.") else 1)' 2>/dev/null \
  && python3 -c 'import flask, flask_cors' 2>/dev/null; then
  exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check "moto[server]==5.2.*"
# pyenv installs console scripts behind shims that need a rehash to appear on PATH.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
command -v moto_server >/dev/null
echo "installed: moto $(python3 -c 'import importlib.metadata as m; print(m.version("moto"))')"
