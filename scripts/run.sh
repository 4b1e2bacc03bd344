#!/usr/bin/env bash
# `make run`: install, migrate the embedded SQLite database, load the demo clinic once, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
export VERTEBRA_ENV="${VERTEBRA_ENV:-local}"
data_dir="${VERTEBRA_DATA_DIR:-$PWD/var}"
mkdir -p "$data_dir"
.venv/bin/vertebra manage migrate --no-input -v 0
.venv/bin/vertebra demo --if-empty
host="${VERTEBRA_HOST:-127.0.0.1}"; port="${VERTEBRA_PORT:-8000}"
cat <<MSG

  Vertebra is starting at  http://$host:$port/
  Demo logins (password: vertebra-demo):
    physician · nurse · scheduler · quality (quality lead) · admin (administrator) · patient
  Data: $data_dir   Stop with Ctrl+C.

MSG
exec .venv/bin/vertebra serve --host "$host" --port "$port"
