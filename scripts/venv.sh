#!/usr/bin/env bash
# Create .venv and install Vertebra into it (with the test extras when asked). Re-running is
# cheap: it reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
  echo "Vertebra needs Python 3.11 or 3.12 ($python is $("$python" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extras:+-$extras}"
if [ ! -f "$stamp" ]; then
  echo "Installing Vertebra${extras:+ with [$extras]} into .venv ..."
  .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import django, weasyprint, psycopg; from importlib.metadata import version; version('django-ninja')" \
    || { echo "Installation failed." >&2; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi
