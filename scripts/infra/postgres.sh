#!/usr/bin/env bash
# A project-owned PostgreSQL cluster for development and tests, listening on 127.0.0.1 only.
#
#   scripts/infra/postgres.sh start|stop|status|url
#
# When DATABASE_URL is set the script manages nothing and only prints it.
# Environment: PG_DATA_DIR (.data/postgres), PG_PORT (15432), PG_BIN (/usr/lib/postgresql/15/bin),
# PG_EXTRA_OPTS ("fsync=off synchronous_commit=off": extra server settings, name=value words).
# Authentication on loopback: the admin (postgres) without a password, a dev/test cluster's
# convenience that is never a production one; every other role (the services' own roles) with its
# password (SCRAM), so that a service given the wrong password fails here as it would elsewhere.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_PORT="${PG_PORT:-15432}"
DATA_DIR="$(realpath -m "${PG_DATA_DIR:-$ROOT/.data/postgres}")"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"

say() { echo "[postgres] $*" >&2; }
die() { echo "[postgres] error: $*" >&2; exit 1; }

if [[ -n "${DATABASE_URL:-}" ]]; then
  say "DATABASE_URL is set; not managing a local cluster"
  echo "$DATABASE_URL"
  exit 0
fi

# initdb, pg_ctl and postgres refuse to run as root: run them as the postgres user then.
as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_binaries() {
  if [[ -x "$PG_BIN/pg_ctl" ]]; then return 0; fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [[ -n "$found" && -x "$found/pg_ctl" ]]; then PG_BIN="$found"; return 0; fi
  [[ "$(id -u)" -eq 0 ]] || die "PostgreSQL server binaries not found: sudo apt-get install -y postgresql"
  say "PostgreSQL binaries not found: running apt-get update && apt-get install -y postgresql"
  apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  [[ -n "$found" && -x "$found/pg_ctl" ]] || die "apt-get install postgresql did not provide pg_ctl"
  PG_BIN="$found"
}

# As root, the data dir belongs to postgres, who must also be able to traverse every parent folder.
prepare_dir() {
  mkdir -p "$DATA_DIR"
  [[ "$(id -u)" -eq 0 ]] || return 0
  id postgres >/dev/null 2>&1 || die "no 'postgres' user to run the server as (apt-get install -y postgresql creates it)"
  local dir="$DATA_DIR"
  while dir="$(dirname "$dir")" && [[ "$dir" != / ]]; do
    if ! runuser -u postgres -- test -x "$dir"; then
      say "letting the postgres user traverse $dir (chmod o+x)"
      chmod o+x "$dir"
    fi
  done
  chown -R postgres: "$DATA_DIR"
  chmod 700 "$DATA_DIR"
}

# Written at every start, so that a cluster made by an earlier version (trust for everyone) changes too.
write_hba() {
  cat >"$DATA_DIR/pg_hba.conf" <<'EOF'
# Written by scripts/infra/postgres.sh at every start.
host  all  postgres  127.0.0.1/32  trust
host  all  all       127.0.0.1/32  scram-sha-256
EOF
  if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$DATA_DIR/pg_hba.conf"; fi
  chmod 600 "$DATA_DIR/pg_hba.conf"
}

is_running() { as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; }

start() {
  find_binaries
  prepare_dir
  if is_running; then
    say "already running ($(head -n1 "$DATA_DIR/postmaster.pid" 2>/dev/null), data ${DATA_DIR#"$ROOT"/})"
    echo "$URL"
    return 0
  fi
  if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    say "initdb ${DATA_DIR#"$ROOT"/}"
    as_owner "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C --no-sync \
      >"$DATA_DIR.initdb.log" 2>&1 || { cat "$DATA_DIR.initdb.log" >&2; die "initdb failed"; }
    rm -f "$DATA_DIR.initdb.log"
  fi
  write_hba
  # No unix socket: several clusters (and the system one) then never clash over /var/run/postgresql.
  local opts="-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c max_connections=300 -c unix_socket_directories=''"
  local opt
  for opt in ${PG_EXTRA_OPTS:-}; do opts+=" -c $opt"; done
  say "starting on 127.0.0.1:$PG_PORT${PG_EXTRA_OPTS:+ ($PG_EXTRA_OPTS)}"
  as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w -t 60 -o "$opts" start >/dev/null \
    || { tail -n 20 "$DATA_DIR/server.log" >&2 || true; die "pg_ctl start failed"; }
  say "ready (pid $(head -n1 "$DATA_DIR/postmaster.pid"))"
  echo "$URL"
}

stop() {
  find_binaries
  if ! is_running; then say "not running"; return 0; fi
  local pid
  pid="$(head -n1 "$DATA_DIR/postmaster.pid")"
  if ! as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 30 stop >/dev/null; then
    say "fast shutdown timed out; immediate shutdown"
    as_owner "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w -t 30 stop >/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  say "stopped (pid $pid)"
}

status() {
  find_binaries
  if is_running; then
    echo "running pid=$(head -n1 "$DATA_DIR/postmaster.pid") port=$(sed -n 4p "$DATA_DIR/postmaster.pid") data=$DATA_DIR"
  else
    echo "stopped data=$DATA_DIR"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
