#!/usr/bin/env bash
# Installs everything the tests need (Python test extras, Debian chromium for browser tests) and runs
# the whole suite: lint, unit, golden, server and browser tests. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m ruff check sitegen tests scripts bench
python3 -m ruff format --check sitegen tests scripts bench
python3 -m pytest -q -p no:cacheprovider "$@"
