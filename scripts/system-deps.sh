#!/usr/bin/env bash
# What the test suite needs from the machine: Debian's Chromium (browser tests), poppler-utils
# (pdftotext/pdftoppm), PostgreSQL >= 15 binaries (a throwaway cluster) and axe-core (npm).
# Installs what is missing. Under CI=true anything still missing is an error, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
apt_updated=0
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  if ! command -v apt-get >/dev/null; then return 1; fi
  if [ $apt_updated -eq 0 ]; then
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null 2>&1
}

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    local major
    major=$(basename "$(dirname "$dir")")
    if [ "${major%%.*}" -ge 15 ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

command -v chromium >/dev/null || { echo "Installing Debian's chromium ..."; apt_install chromium; }
command -v chromium >/dev/null || missing+=("chromium (apt-get install chromium)")

command -v pdftotext >/dev/null || { echo "Installing poppler-utils ..."; apt_install poppler-utils; }
command -v pdftotext >/dev/null || missing+=("poppler-utils (apt-get install poppler-utils)")

pg_bin >/dev/null || { echo "Installing postgresql ..."; apt_install postgresql postgresql-contrib; }
pg_bin >/dev/null || missing+=("PostgreSQL >= 15 server binaries (apt-get install postgresql)")

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null; then
    echo "Installing axe-core (npm) ..."
    (cd tests/browser && npm ci --silent --no-audit --no-fund >/dev/null 2>&1)
  fi
fi
[ -f tests/browser/node_modules/axe-core/axe.min.js ] || missing+=("axe-core (npm ci in tests/browser)")

if [ ${#missing[@]} -gt 0 ]; then
  printf 'Missing: %s\n' "${missing[@]}" >&2
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true: a missing test dependency is an error, not a skip." >&2
    exit 1
  fi
  exit 3   # the caller runs what it can and says loudly what it skipped
fi
exit 0
