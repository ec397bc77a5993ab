#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: its own cluster in $CAIRN_PG_DIR
# (default /tmp/cairn-pg), on 127.0.0.1:$CAIRN_PG_PORT (default 55432), with
# trust authentication, a role `cairn` and a database `cairn_test` it owns.
#
#   scripts/postgres.sh          install PostgreSQL if missing, start the cluster,
#                                print its SQLAlchemy URL (the only line on stdout)
#   scripts/postgres.sh stop     stop the cluster
#
# Idempotent: running it again reuses the cluster, or starts it if it stopped.
# Never use this cluster for anything but tests: anyone on the host may log in.
set -euo pipefail

PG_DIR=${CAIRN_PG_DIR:-/tmp/cairn-pg}
PG_PORT=${CAIRN_PG_PORT:-55432}
DATA=$PG_DIR/data
LOG=$PG_DIR/postgres.log
URL="postgresql+psycopg://cairn@127.0.0.1:$PG_PORT/cairn_test"

# stdout carries the URL alone; everything else goes to stderr.
exec 3>&1 1>&2

say() { echo "postgres.sh: $*"; }

find_bindir() {
    local postgres
    postgres=$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$postgres" ] && dirname "$postgres"
}

install_postgresql() {
    if [ "$(id -u)" -ne 0 ]; then
        say "PostgreSQL is not installed and this is not root: run 'apt-get install postgresql' first"
        exit 1
    fi
    say "installing PostgreSQL with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
}

# The cluster belongs to the postgres user when we are root, else to us.
# The server must not inherit our stdout (fd 3) or the lock (fd 4): a caller
# reading our output would wait for the server to exit, and so would the lock.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@" 3>&- 4>&-
    else
        "$@" 3>&- 4>&-
    fi
}

BIN=$(find_bindir || true)

if [ "${1:-}" = "stop" ]; then
    if [ -n "$BIN" ] && [ -f "$DATA/postmaster.pid" ]; then
        cd /
        as_owner "$BIN/pg_ctl" -D "$DATA" stop -m fast || true
    else
        say "no test cluster is running in $DATA"
    fi
    exit 0
elif [ $# -gt 0 ]; then
    say "usage: $0 [stop]"
    exit 2
fi

if [ -z "$BIN" ]; then
    install_postgresql
    BIN=$(find_bindir) || { say "no /usr/lib/postgresql/*/bin/postgres after installing"; exit 1; }
fi

mkdir -p "$PG_DIR"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$PG_DIR"
fi
chmod 0700 "$PG_DIR"
cd /  # the postgres user may not enter the caller's directory

# One setup at a time: two test runs may start together.
exec 4>"$PG_DIR.lock"
flock 4

version=$(basename "$(dirname "$BIN")")  # /usr/lib/postgresql/<version>/bin
if [ -f "$DATA/PG_VERSION" ] && [ "$(cat "$DATA/PG_VERSION")" != "$version" ]; then
    say "the cluster in $DATA is from PostgreSQL $(cat "$DATA/PG_VERSION"), not $version: recreating it"
    as_owner "$BIN/pg_ctl" -D "$DATA" stop -m immediate >/dev/null 2>&1 || true
    rm -rf "$DATA"
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
    say "creating a test cluster (PostgreSQL $version) in $DATA"
    rm -rf "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=trust --no-instructions >/dev/null
    # Durability is worthless for a throwaway cluster; speed is not.
    cat >>"$DATA/postgresql.conf" <<EOF

# --- scripts/postgres.sh: a throwaway cluster for the tests ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi

if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    say "starting the test cluster on 127.0.0.1:$PG_PORT (log: $LOG)"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null || {
        say "PostgreSQL did not start; the end of $LOG:"
        tail -n 20 "$LOG" || true
        exit 1
    }
fi

for _ in $(seq 1 60); do
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.5
done
"$BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null || { say "PostgreSQL does not answer on port $PG_PORT"; exit 1; }

psql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"; }
if [ -z "$(psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'cairn'")" ]; then
    psql -c "CREATE ROLE cairn LOGIN CREATEDB"
fi
if [ -z "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'cairn_test'")" ]; then
    psql -c "CREATE DATABASE cairn_test OWNER cairn"
fi

echo "$URL" >&3
