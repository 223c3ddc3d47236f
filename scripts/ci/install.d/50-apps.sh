#!/usr/bin/env bash
# Real applications behind connections for the tester integration tests and the testers bench:
# PostgreSQL, MariaDB, OpenSSH server, nginx, and openssl for test-time keys and certificates.
# The tests start their own instances on loopback (temp data dirs, free ports); the packages'
# own system services are not used.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash scripts/ci/apt-install.sh postgresql mariadb-server openssh-server nginx openssl
