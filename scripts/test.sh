#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL (required when CI=true). Both passes always run;
# the exit status is non-zero when ruff or either pass failed.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${GONGXUE_TEST_BIN:-.venv/bin}"

status=0
echo "== ruff"
$BIN/ruff check . || status=1

echo "== tests on SQLite"
TEST_DATABASE_URL=sqlite:// $BIN/python -m pytest -q -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" "$@" \
  || status=1

PG_BASE="${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/gongxue_test}"
if [[ "$PG_BASE" != postgresql* ]]; then
  echo "TEST_DATABASE_URL is not PostgreSQL; PostgreSQL pass not run"
  exit $status
fi
# Databases of this run only (workers and race tests add suffixes): two checkouts testing at
# once on one machine never share one. They are dropped when the run ends.
RUN_ID="$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
PG_URL="${PG_BASE}_${RUN_ID}"
if ! $BIN/python scripts/ensure_database.py "$PG_URL"; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "PostgreSQL is required under CI=true but is not reachable at $PG_BASE" >&2
    exit 1
  fi
  echo "SKIPPED the PostgreSQL pass: no PostgreSQL at $PG_BASE (set TEST_DATABASE_URL)"
  exit $status
fi
trap '$BIN/python scripts/ensure_database.py --drop "$PG_URL"' EXIT
echo "== tests on PostgreSQL (the matcher and browser tests use no database and ran above)"
TEST_DATABASE_URL="$PG_URL" $BIN/python -m pytest -q -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" \
  --ignore=tests/matching --ignore=tests/browser "$@" || status=1
exit $status
