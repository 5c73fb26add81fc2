#!/bin/bash
# Kairan benchmark scenarios S1–S6 (issue 4, first slice). Called by `make bench` after
# bench/build.sh. Every server runs on loopback with its own data directory under a temporary
# directory, and is stopped at the end (trap). Results: bench/results/raw/*.json, then
# bench/report.mjs writes bench/results/latest.json, REPORT.md and the plots.
#
# Environment: BENCH_PORT (default 18181), BENCH_QUICK=1 (shorter phases, for trying it out),
# BENCH_PROFILE=0 (skip the perf profiles), KAIRAN_BIN (default build/kairan).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
RES=$B/results
RAW=$RES/raw
BIN=${KAIRAN_BIN:-$ROOT/build/kairan}
LG=$B/bin/loadgen
PORT=${BENCH_PORT:-18181}
PW='Bench-Admin-pw-4471!'
Q=${BENCH_QUICK:-0}
PROFILE=${BENCH_PROFILE:-1}
W=$(mktemp -d /tmp/kairan-bench.XXXXXX)
SPID=
BGPIDS=()
T_START=$(date +%s)

log() { echo "[bench $(($(date +%s) - T_START))s] $*" >&2; }

cleanup() {
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
    stop_server
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installing $2"
    timeout 600 apt-get install -y -q "$2" >/dev/null 2>&1 ||
        { timeout 300 apt-get update -q >/dev/null 2>&1 && timeout 600 apt-get install -y -q "$2" >/dev/null 2>&1; } ||
        log "could not install $2"
}
need wrk wrk
need gnuplot gnuplot-nox
command -v perf >/dev/null 2>&1 || PROFILE=0

. "$B/server.sh"

wait_file() { # file seconds
    for _ in $(seq 1 $(($2 * 10))); do [ -e "$1" ] && return 0; sleep 0.1; done
    return 1
}

# perf profile of the running server for $2 seconds once file $1 appears → $RES/profile-$3.txt
profile_after() { # ready-file seconds name
    [ "$PROFILE" = 1 ] || return 0
    (
        wait_file "$1" 120 || exit 0
        perf record -F 499 -g -p "$SPID" -o "$W/perf-$3.data" -- sleep "$2" >/dev/null 2>&1
        {
            echo "# perf record -F 499 -g -p <kairan> -- sleep $2   ($3)"
            echo "## self time by symbol"
            perf report -i "$W/perf-$3.data" --no-children --sort symbol --stdio --percent-limit 0.7 2>/dev/null |
                grep -E '^ +[0-9.]+%' | head -40
            echo "## self time by shared object"
            perf report -i "$W/perf-$3.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -12
            echo "## self time by thread"
            perf report -i "$W/perf-$3.data" --no-children --sort pid --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -8
            echo "## inclusive (children) by symbol"
            perf report -i "$W/perf-$3.data" --children --sort symbol --stdio --percent-limit 3 -g none 2>/dev/null |
                grep -E '^ +[0-9.]+%' | head -45
        } >"$RES/profile-$3.txt"
    ) &
    BGPIDS+=($!)
}

mkdir -p "$RAW"
rm -f "$RAW"/*.json "$RES"/profile-*.txt
[ -x "$BIN" ] || { log "no $BIN: run make first"; exit 1; }
ulimit -n 20000 2>/dev/null || true

if [ "$Q" = 1 ]; then NUSERS=6000; PH=3; S1N=5000; else NUSERS=19000; PH=8; S1N=19000; fi

# ---------- the disk's fsync latency: the floor under every durable send ----------
python3 "$B/fsync-probe.py" "$W" >"$RAW/fsync.json"

# ---------- provisioning: users (template for S1), then rooms (template for S2–S6) ----------
log "provisioning $NUSERS users"
mkdir -p "$W/tmpl" "$W/p"
start_server "$W/tmpl"
node "$B/provision.mjs" --url "http://127.0.0.1:$PORT" --admin-password "$PW" --out "$W/p" --users "$NUSERS" \
    --stage users >"$RAW/provision-users.json" || exit 1
stop_server
cp -a "$W/tmpl" "$W/tmpl-users"
start_server "$W/tmpl"
node "$B/provision.mjs" --url "http://127.0.0.1:$PORT" --admin-password "$PW" --out "$W/p" --stage rooms \
    >"$RAW/provision-rooms.json" || exit 1
stop_server

scenario_dir() { rm -rf "$W/run"; cp -a "$W/$1" "$W/run"; }

# ---------- S1 idle connections ----------
log "S1 idle: $S1N connections"
scenario_dir tmpl-users
start_server "$W/run"
PROCS=$(((S1N + 8999) / 9000))
$LG --mode idle --port "$PORT" --tokens "$W/p/tokens.txt" --clients "$S1N" --procs "$PROCS" --server-pid "$SPID" \
    --hold $((PH + 2)) --max-pending 512 --deadline 120 >"$RAW/s1.json"
stop_server

# ---------- S2 city day ----------
log "S2 city day"
scenario_dir tmpl
start_server "$W/run"
$LG --mode chat --port "$PORT" --tokens "$W/p/tokens.txt" --rooms "$W/p/s2-rooms.txt" --procs 1 --server-pid "$SPID" \
    --rates 50 --phase-secs $((PH * 5)) --read-prob 0.3 --presence-rate 10 --typing-rate 20 >"$RAW/s2.json"
stop_server

# ---------- S3 broadcast ----------
for n in 1000 5000; do
    log "S3 broadcast to $n"
    scenario_dir tmpl
    start_server "$W/run"
    if [ "$n" = 1000 ]; then RATES=100,300,500,1000,0; else RATES=20,60,100,200,0; fi
    rm -f "$W/ready"
    $LG --mode broadcast --port "$PORT" --tokens "$W/p/tokens.txt" --admin-token "$W/p/admin.txt" \
        --rooms "$W/p/s3-$n.txt" --procs 1 --server-pid "$SPID" --rates "$RATES" --phase-secs "$PH" --inflight 32 \
        --deadline 120 >"$RAW/s3-$n.json"
    stop_server
done
# profile run: closed loop at 1,000 members
if [ "$PROFILE" = 1 ]; then
    log "S3 profile (perf)"
    scenario_dir tmpl
    start_server "$W/run"
    rm -f "$W/ready"
    profile_after "$W/ready" "$PH" s3
    $LG --mode broadcast --port "$PORT" --tokens "$W/p/tokens.txt" --admin-token "$W/p/admin.txt" \
        --rooms "$W/p/s3-1000.txt" --procs 1 --server-pid "$SPID" --rates 0 --phase-secs $((PH + 2)) --inflight 32 \
        --ready-file "$W/ready" >"$W/s3-profile.json"
    wait "${BGPIDS[@]}" 2>/dev/null
    BGPIDS=()
    stop_server
fi

# ---------- S4 durable sends ----------
log "S4 durable sends"
scenario_dir tmpl
start_server "$W/run"
node "$B/metrics.mjs" "$PORT" "$W/p/admin.txt" >"$W/ws0.json" 2>/dev/null || echo '{}' >"$W/ws0.json"
$LG --mode durable --port "$PORT" --tokens "$W/p/tokens.txt" --rooms "$W/p/s4-rooms.txt" --procs 1 --server-pid "$SPID" \
    --senders 256 --phase-secs $((PH + 2)) >"$W/s4.json"
node "$B/metrics.mjs" "$PORT" "$W/p/admin.txt" >"$W/ws1.json" 2>/dev/null || echo '{}' >"$W/ws1.json"
node -e '
const fs=require("fs"); const [a,b,c]=process.argv.slice(1).map(f=>JSON.parse(fs.readFileSync(f,"utf8")));
if (b.batches!==undefined && c.batches!==undefined) a.writer={batches:c.batches-b.batches, jobs:c.jobs-b.jobs,
  avg_batch:+((c.jobs-b.jobs)/Math.max(1,c.batches-b.batches)).toFixed(2), max_batch_ever:c.max_batch,
  source:"/metrics (kairan_writer_batches_total, kairan_writer_jobs_total)"};
process.stdout.write(JSON.stringify(a)+"\n");' "$W/s4.json" "$W/ws0.json" "$W/ws1.json" >"$RAW/s4.json"
if [ "$PROFILE" = 1 ]; then
    log "S4 profile (perf)"
    rm -f "$W/ready"
    profile_after "$W/ready" "$PH" s4
    $LG --mode durable --port "$PORT" --tokens "$W/p/tokens.txt" --rooms "$W/p/s4-rooms.txt" --procs 1 \
        --server-pid "$SPID" --senders 256 --phase-secs $((PH + 2)) --ready-file "$W/ready" >"$W/s4-profile.json"
    wait "${BGPIDS[@]}" 2>/dev/null
    BGPIDS=()
fi
stop_server

# ---------- S5 reconnect storm ----------
log "S5 reconnect storm"
scenario_dir tmpl
start_server "$W/run"
rm -f "$W/restart-now"
$LG --mode reconnect --port "$PORT" --tokens "$W/p/tokens.txt" --rooms "$W/p/s5-rooms.txt" --procs 2 --server-pid "$SPID" \
    --rates 200 --http-conns 32 --pre-secs 3 --post-secs 2 --deadline 90 --max-pending 512 \
    --signal-file "$W/restart-now" >"$W/s5.json" &
LGPID=$!
BGPIDS+=($LGPID)
RESTART_MS=-1
if wait_file "$W/restart-now" 150; then
    t0=$(date +%s%N)
    stop_server
    start_server "$W/run"
    RESTART_MS=$((($(date +%s%N) - t0) / 1000000))
    log "server restarted in ${RESTART_MS} ms"
fi
wait "$LGPID"
BGPIDS=()
node -e 'const fs=require("fs"); const a=JSON.parse(fs.readFileSync(process.argv[1],"utf8")); a.restart_ms=+process.argv[2];
process.stdout.write(JSON.stringify(a)+"\n");' "$W/s5.json" "$RESTART_MS" >"$RAW/s5.json"
stop_server

# ---------- S6 reads with wrk ----------
log "S6 reads: importing 50,000 staff"
scenario_dir tmpl
node "$B/gen-staff.mjs" 50000 >"$W/staff.csv"
t0=$(date +%s%N)
KAIRAN_DATA=$W/run "$BIN" admin import-csv "$W/staff.csv" >"$W/import.log" 2>&1
IMPORT_RC=$?
IMPORT_MS=$((($(date +%s%N) - t0) / 1000000))
start_server "$W/run"
ROOM=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).room' "$W/p/s6.json")
TOK=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).token' "$W/p/s6.json")
U="http://127.0.0.1:$PORT"
{
    echo "{\"import_ms\":$IMPORT_MS,\"import_rc\":$IMPORT_RC,\"staff\":50000,\"cases\":["
    first=1
    while IFS='|' read -r name path; do
        out=$(wrk -t2 -c32 -d"${PH}s" --latency -H "Authorization: Bearer $TOK" "$U$path" 2>&1)
        [ $first = 1 ] || echo ","
        first=0
        node "$B/wrk-parse.mjs" "$name" "$path" <<<"$out"
    done <<EOF
history latest 50|/api/v1/rooms/$ROOM/messages?limit=50
history before=500, 50|/api/v1/rooms/$ROOM/messages?before=500&limit=50
history after=800, 200|/api/v1/rooms/$ROOM/messages?after=800&limit=200
directory q=山田|/api/v1/users?q=%E5%B1%B1%E7%94%B0
directory q=やまだ|/api/v1/users?q=%E3%82%84%E3%81%BE%E3%81%A0
directory q=内線 1234|/api/v1/users?q=1234
directory q=山田 課長|/api/v1/users?q=%E5%B1%B1%E7%94%B0%20%E8%AA%B2%E9%95%B7
EOF
    echo "]}"
} >"$RAW/s6.json"
stop_server

# ---------- report ----------
log "writing the report"
node "$B/report.mjs" "$RES" || exit 1
log "done in $(($(date +%s) - T_START)) s: $RES/REPORT.md"
