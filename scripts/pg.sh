#!/bin/bash
# A throwaway PostgreSQL 15 (Debian's postgresql-15) for tests: run as an ordinary user in a
# directory of its own, no system service, no TCP (Unix socket only), trust authentication.
#   scripts/pg.sh start DIR            initdb (first time) and start; prints the socket directory
#   scripts/pg.sh stop DIR             pg_ctl stop -m fast (quiet success when not running)
#   scripts/pg.sh createdb DIR NAME    a new database owned by the superuser
#   scripts/pg.sh status DIR           exit 0 when it accepts connections
# The superuser is "kairan" (and a superuser role named after the caller, so that a bare
# `psql -h DIR/sock postgres` works). Store URI for a database NAME:
#   postgresql:///NAME?host=DIR/sock&user=kairan
# As root (initdb and postgres refuse root), the server runs as the system user kairanpg (created
# if missing, or $KAIRAN_PG_OS_USER) through runuser, and DIR becomes that user's; root clients
# reach the socket regardless of the directory's mode 0700.
# Layout: DIR/data (cluster), DIR/sock (socket), DIR/log (server log).
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SUPERUSER=kairan
OS_USER=${KAIRAN_PG_OS_USER:-kairanpg}
START_WAIT=${KAIRAN_PG_START_WAIT:-30}   # seconds until pg_isready must say ready

die() { echo "pg.sh: $*" >&2; exit 1; }
usage() { die "usage: pg.sh start|stop|status DIR, pg.sh createdb DIR NAME"; }

[ $# -ge 2 ] || usage
cmd=$1
[ -n "$2" ] || usage
DIR=$(realpath -m -- "$2")
case "$DIR" in *"'"*|*' '*) die "DIR must not hold quotes or spaces: $DIR";; esac
DATA=$DIR/data
SOCK=$DIR/sock
LOG=$DIR/log
[ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found: install postgresql-15 (scripts/install-deps.sh test)"

# Runs a server-side command as the cluster's owner: the caller, or (as root) $OS_USER.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$DIR" && runuser -u "$OS_USER" -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

ready() { "$PGBIN/pg_isready" -q -h "$SOCK" -U "$SUPERUSER" -d postgres -t 2 >/dev/null 2>&1; }

start() {
    if [ "$(id -u)" = 0 ]; then
        if ! id -u "$OS_USER" >/dev/null 2>&1; then
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
                --user-group "$OS_USER" || die "cannot create the system user $OS_USER"
        fi
    fi
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    [ "$(id -u)" = 0 ] && chown "$OS_USER:" "$DIR"
    as_owner test -w "$DIR" || die "$DIR is not writable by $(if [ "$(id -u)" = 0 ]; then echo "$OS_USER"; else id -un; fi) (is a parent directory closed to it?)"
    if ready; then
        echo "pg.sh: already running in $DIR" >&2
        echo "$SOCK"
        return 0
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        as_owner "$PGBIN/initdb" -D "$DATA" -U "$SUPERUSER" --encoding=UTF8 --locale=C --auth=trust \
            >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
        # Appended after initdb's own lines, so these win. fsync stays at its default (on).
        as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# scripts/pg.sh: Unix socket only, in DIR/sock.
listen_addresses = ''
unix_socket_directories = '$SOCK'
unix_socket_permissions = 0777
max_connections = 300
EOF
    fi
    as_owner mkdir -p "$SOCK"
    as_owner chmod 700 "$SOCK"
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -W start >/dev/null \
        || { tail -n 30 "$LOG" >&2 2>/dev/null || true; die "pg_ctl start failed"; }
    local end=$((SECONDS + START_WAIT))
    until ready; do
        if [ $SECONDS -ge $end ]; then
            tail -n 30 "$LOG" >&2 2>/dev/null || true
            die "PostgreSQL in $DIR not ready within ${START_WAIT}s (log: $LOG)"
        fi
        sleep 0.2
    done
    # A superuser role named after the caller (e.g. root), so that plain psql/createdb work too.
    local me
    me=$(id -un)
    if [ "$me" != "$SUPERUSER" ]; then
        "$PGBIN/psql" -X -q -h "$SOCK" -U "$SUPERUSER" -d postgres -v ON_ERROR_STOP=1 -v me="$me" >/dev/null <<'EOF' \
            || die "cannot create the role for $me"
SELECT format('CREATE ROLE %I SUPERUSER LOGIN', :'me') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'me') \gexec
EOF
    fi
    echo "$SOCK"
}

stop() {
    [ -f "$DATA/PG_VERSION" ] || { echo "pg.sh: no cluster in $DIR" >&2; return 0; }
    if ! as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        echo "pg.sh: not running in $DIR" >&2
        return 0
    fi
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop failed (log: $LOG)"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    status) ready ;;
    createdb)
        if [ $# -lt 3 ] || [ -z "$3" ]; then usage; fi
        "$PGBIN/createdb" -h "$SOCK" -U "$SUPERUSER" -E UTF8 -- "$3" ;;
    *) usage ;;
esac
