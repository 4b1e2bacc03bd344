#!/usr/bin/env bash
# `make fuzz`: schemathesis over the JSON API's OpenAPI document against gunicorn on a
# throwaway SQLite database (never the clinic's), bounded in time, with a fixed seed.
# Not part of `make test`. Options are passed on to scripts/fuzz.py (--help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh test
exec .venv/bin/python scripts/fuzz.py "$@"
