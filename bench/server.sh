# Sourced by bench/run.sh, bench/focus.sh and bench/peers/kairan-s3.sh: the Kairan server under
# test, on loopback with the benchmark's settings. Needs ROOT, BIN, PORT, PW, W (the run's scratch
# directory) and a log function; start_server and stop_server keep its pid in SPID, the log in
# $W/server.log.

export KAIRAN_LISTEN=127.0.0.1:$PORT KAIRAN_ADMIN_PASSWORD=$PW KAIRAN_ARGON2_OPS=1 KAIRAN_ARGON2_MEM_KIB=8 \
    KAIRAN_LOG_LEVEL=warn KAIRAN_WEB_ROOT=$ROOT/web KAIRAN_RATE_SENDS_PER_MINUTE=0
# The per-person send limit (rate_sends_per_minute, default 600) is off: S3 and S4 have single
# senders posting hundreds of messages per second.
SPID=

# A node on port $1 with data directory $2, logging to $3; its pid in NODE_PID.
start_node() { # port data-dir log
    KAIRAN_LISTEN=127.0.0.1:$1 KAIRAN_DATA=$2 "$BIN" serve >>"$3" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 200); do
        curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$NODE_PID" 2>/dev/null || break
        sleep 0.05
    done
    log "server on port $1 did not start; log:"
    tail -20 "$3" >&2
    exit 1
}

# SIGTERM, a bounded wait, then SIGKILL.
stop_node() { # pid
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

start_server() { # data-dir
    start_node "$PORT" "$1" "$W/server.log"
    SPID=$NODE_PID
}

stop_server() {
    stop_node "$SPID"
    SPID=
}
