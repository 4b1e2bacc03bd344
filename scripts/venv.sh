#!/usr/bin/env bash
# Create .venv and install Vertebra into it (with the test extras when asked). Re-running is
# cheap: it reinstalls only when pyproject.toml changed. pip's output goes to .venv/install.log
# and is shown only if the installation fails.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
  echo "Vertebra needs Python 3.11 or 3.12 ($python is $("$python" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.installed-$hash${extras:+-$extras}"
# The test install includes the plain one.
if [ -f "$stamp" ] || { [ -z "$extras" ] && [ -f ".venv/.installed-$hash-test" ]; }; then
  exit 0
fi
echo "Installing Vertebra${extras:+ with [$extras]} into .venv (log: .venv/install.log) ..."
if ! {
  .venv/bin/python -m pip install --upgrade pip &&
    .venv/bin/python -m pip install -e ".${extras:+[$extras]}"
} >.venv/install.log 2>&1; then
  tail -n 40 .venv/install.log >&2
  echo "Installation failed (full log: .venv/install.log)." >&2
  exit 1
fi
.venv/bin/python -c "import django, weasyprint, psycopg; from importlib.metadata import version; version('django-ninja')" \
  || { echo "Installation failed: Vertebra's packages do not import." >&2; exit 1; }
rm -f .venv/.installed-*
touch "$stamp"
