#!/usr/bin/env bash
# A Python virtual environment with openpyxl, pinned, for the XLSX read-back checks of the
# test suites (scripts/xlsx-check.py). Idempotent: a warm run installs nothing. Prints the
# environment's python on its last line; tests find it there (or through
# COLLECTSTAMP_TEST_OPENPYXL_PYTHON).
#
# Usage: scripts/openpyxl-venv.sh
# Environment:
#   OPENPYXL_VENV  where to put it (default: the cargo cache's collectstamp dir, as the tests look)
set -euo pipefail

OPENPYXL_VERSION=3.1.5
cache_home="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}"
venv="${OPENPYXL_VENV:-$cache_home/collectstamp/openpyxl-$OPENPYXL_VERSION}"

if ! "$venv/bin/python" -c "import openpyxl, sys; sys.exit(openpyxl.__version__ != '$OPENPYXL_VERSION')" \
  >/dev/null 2>&1; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openpyxl==$OPENPYXL_VERSION"
fi
echo "$venv/bin/python"
