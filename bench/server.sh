# Sourced by bench/run.sh, bench/focus.sh and bench/peers/kairan-s3.sh: the Kairan server under
# test, on loopback with the benchmark's settings. Needs ROOT, BIN, PORT, PW, W (the run's scratch
# directory) and a log function; start_server and stop_server keep its pid in SPID, the log in
# $W/server.log.

export KAIRAN_LISTEN=127.0.0.1:$PORT KAIRAN_ADMIN_PASSWORD=$PW KAIRAN_ARGON2_OPS=1 KAIRAN_ARGON2_MEM_KIB=8 \
    KAIRAN_LOG_LEVEL=warn KAIRAN_WEB_ROOT=$ROOT/web KAIRAN_RATE_SENDS_PER_MINUTE=0
# The per-person send limit (rate_sends_per_minute, default 600) is off: S3 and S4 have single
# senders posting hundreds of messages per second.
SPID=

start_server() { # data-dir
    KAIRAN_DATA=$1 "$BIN" serve >>"$W/server.log" 2>&1 &
    SPID=$!
    for _ in $(seq 1 200); do
        curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.05
    done
    log "server did not start; log:"
    tail -20 "$W/server.log" >&2
    exit 1
}

stop_server() {
    [ -n "$SPID" ] || return 0
    kill -TERM "$SPID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
    SPID=
}
