#!/usr/bin/env bash
# `make test`: set up, lint, then run the whole suite on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export VERTEBRA_ENV=test
unset DATABASE_URL

scripts/venv.sh test
deps=0; scripts/system-deps.sh || deps=$?
[ "$deps" -eq 0 ] || [ "$deps" -eq 3 ] || exit "$deps"

py=.venv/bin/python
echo "== lint: ruff, mypy, import contracts, migrations, deploy check"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy vertebra config
.venv/bin/lint-imports --no-cache
VERTEBRA_DATA_DIR="$(mktemp -d)" $py manage.py makemigrations --check --dry-run
VERTEBRA_ENV=production SECRET_KEY="$($py -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  ALLOWED_HOSTS=vertebra.example.org VERTEBRA_DATA_DIR="$(mktemp -d)" \
  $py manage.py check --deploy --fail-level WARNING

pytest_args=(-q -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" "$@")
if [ "$deps" -eq 3 ]; then
  echo "!! Some test dependencies are missing (see above): browser tests are skipped." >&2
  pytest_args+=(-m "not browser")
fi

echo "== tests on SQLite"
$py -m pytest "${pytest_args[@]}"

if [ -z "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null)" ]; then
  echo "!! No PostgreSQL binaries: the PostgreSQL run was skipped." >&2
  exit 0
fi
echo "== tests on PostgreSQL"
pgdir="$(mktemp -d /tmp/vertebra-pg.XXXXXX)"
trap 'scripts/pg-cluster.sh stop "$pgdir"' EXIT
DATABASE_URL="$(scripts/pg-cluster.sh start "$pgdir")"
export DATABASE_URL
$py -m pytest "${pytest_args[@]}"
