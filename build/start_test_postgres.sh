#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the server tests and print its URL.
#
#   url=$(build/start_test_postgres.sh)           # e.g. postgresql://postgres@127.0.0.1:54329/postgres
#   export COVERAGE_DESK_TEST_PG="$url"
#   ... run the tests ...
#   build/start_test_postgres.sh --stop           # stop it and remove the data directory
#
# PostgreSQL refuses to run as root, so the cluster runs as the `postgres` user
# in a temporary directory it owns, listening on 127.0.0.1 only (trust auth:
# loopback, throwaway data). The data directory is written to
# ${COVERAGE_DESK_PG_STATE:-/tmp/coverage-desk-test-pg.state} for --stop.
set -euo pipefail

STATE="${COVERAGE_DESK_PG_STATE:-/tmp/coverage-desk-test-pg.state}"
PGBIN="${PGBIN:-}"
if [ -z "$PGBIN" ]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && PGBIN="$candidate"
  done
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "start_test_postgres: no PostgreSQL server binaries (apt-get install postgresql)" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$STATE" ]; then
    dir="$(cat "$STATE")"
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$STATE"
  fi
  exit 0
fi

port="${COVERAGE_DESK_PG_PORT:-}"
if [ -z "$port" ]; then
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
fi
dir="$(mktemp -d /tmp/coverage-desk-pg.XXXXXX)"
chmod 755 "$dir"
if [ "$(id -u)" = "0" ]; then
  chown postgres "$dir"
fi
as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off" \
  start >/dev/null
echo "$dir" >"$STATE"
echo "postgresql://postgres@127.0.0.1:$port/postgres"
