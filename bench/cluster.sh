#!/bin/bash
# Kairan on several nodes (issue 10): one node on SQLite against two nodes on one PostgreSQL
# database, at the same offered load, and the durable-send ceiling of each store. Called by
# `make bench-cluster` (≈ 2.5 minutes on the 2-core machine). Everything runs on loopback under a
# temporary directory: the servers, a throwaway PostgreSQL 15 (scripts/pg.sh) and the load
# generator; all of it is stopped at the end whatever the outcome (trap).
#
#   1. S2 (city day) and S3 (broadcast to 1,000) on one SQLite node, at fixed rates
#   2. the same on two nodes + PostgreSQL: senders on node A, every other WebSocket client on
#      node B (loadgen --port2), so half the deliveries cross nodes through the database
#   3. CPU seconds (/proc/PID/stat) of each node and of PostgreSQL (the postmaster and its
#      children) per thousand deliveries
#   4. S4-like durable sends, 256 closed-loop senders, on one node: SQLite, then PostgreSQL,
#      with the writer's average group commit (/metrics) and pg_stat_database.xact_commit
# Results: bench/results/cluster.json and bench/results/CLUSTER.md (bench/cluster-report.mjs).
#
# Environment: BENCH_PORT (default 18201; node B uses the next port), KAIRAN_BIN (default
# build/kairan), CLUSTER_S2_RATE (sends/s, default 50), CLUSTER_S3_RATE (sends/s, default 50 =
# 50k deliveries/s), CLUSTER_SECS (seconds per measured phase, default 20), CLUSTER_S4_SECS
# (default 12), CLUSTER_USERS (default 6000), CLUSTER_RESULTS (default bench/results), CLUSTER_KEEP=1
# (keep the scratch directory).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
RES=${CLUSTER_RESULTS:-$B/results}
BIN=${KAIRAN_BIN:-$ROOT/build/kairan}
LG=$B/bin/loadgen
PORT=${BENCH_PORT:-18201}
PORT2=$((PORT + 1))
PW='Bench-Admin-pw-4471!'
S2_RATE=${CLUSTER_S2_RATE:-50}
S3_RATE=${CLUSTER_S3_RATE:-50}
SECS=${CLUSTER_SECS:-20}
S4_SECS=${CLUSTER_S4_SECS:-12}
NUSERS=${CLUSTER_USERS:-6000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# scripts/pg.sh runs postgres as the user kairanpg when we are root: the scratch directory must
# be traversable by that user (mktemp makes it 0700).
W=$(mktemp -d /tmp/kairan-cluster.XXXXXX)
chmod 755 "$W"
PGDIR=$W/pg
PGSOCK=
PG_STARTED=0
SPID=
S2PID=
LGPID=
T_START=$(date +%s)
TCK=$(getconf CLK_TCK)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

log() { echo "[cluster $(($(date +%s) - T_START))s] $*" >&2; }

. "$B/server.sh" # KAIRAN_* settings of the benchmark, start_server/stop_server (node A: SPID)

# Node B: the same settings on PORT2, pid in S2PID.
start_server2() { # data-dir
    start_node "$PORT2" "$1" "$W/server2.log"
    S2PID=$NODE_PID
}

stop_server2() {
    stop_node "$S2PID"
    S2PID=
}

cleanup() {
    if [ -n "$LGPID" ]; then # loadgen and its forked workers
        pkill -TERM -P "$LGPID" 2>/dev/null
        kill "$LGPID" 2>/dev/null
        wait "$LGPID" 2>/dev/null
    fi
    stop_server2
    stop_server
    unset KAIRAN_STORE
    [ "$PG_STARTED" = 1 ] && { "$ROOT/scripts/pg.sh" stop "$PGDIR" || log "PostgreSQL in $PGDIR did not stop"; }
    if [ "${CLUSTER_KEEP:-0}" = 1 ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$BIN" ] || { log "no $BIN: run make first"; exit 1; }
[ -x "$PGBIN/postgres" ] || { log "no PostgreSQL 15 in $PGBIN (scripts/install-deps.sh test)"; exit 1; }
[ -x "$LG" ] || sh "$B/build.sh" >&2
ulimit -n 20000 2>/dev/null || true
mkdir -p "$RES"
RAW=$W/raw
mkdir -p "$RAW"

# ---------- CPU from /proc ----------
# utime+stime of a process in ticks (fields 14, 15 of /proc/PID/stat; with $2=1 also 16, 17: its
# reaped children); 0 if it is gone.
ticks() { # pid [with-children]
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s "${2:-0}"
    # after "comm)": state=1 … utime=12 stime=13 cutime=14 cstime=15; the flag is the last word
    local flag=${!#}
    if [ "$flag" = 1 ]; then echo $((${12} + ${13} + ${14} + ${15})); else echo $((${12} + ${13})); fi
}

# PostgreSQL's CPU so far: the postmaster, its reaped children (backends that exited) and the
# live children (backends, checkpointer, walwriter, …).
pg_ticks() {
    local pm t c
    pm=$(head -1 "$PGDIR/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
    t=$(ticks "$pm" 1)
    for c in $(pgrep -P "$pm"); do t=$((t + $(ticks "$c"))); done
    echo "$t"
}

cpu_sample() { # → "A B PG" in ticks (0 for what is not running)
    echo "$( [ -n "$SPID" ] && ticks "$SPID" || echo 0) $( [ -n "$S2PID" ] && ticks "$S2PID" || echo 0) $( [ -n "${KAIRAN_STORE:-}" ] && pg_ticks || echo 0)"
}

psql_q() { # db sql
    "$PGBIN/psql" -XAtq -h "$PGSOCK" -U kairan -d "$1" -c "$2"
}

pg_db_stats() { # db → pg_stat_database counters of that database, and per table, as JSON ({} off PostgreSQL)
    [ -n "${KAIRAN_STORE:-}" ] || { echo '{}'; return; }
    psql_q "$1" "SELECT json_build_object('xact_commit', xact_commit, 'xact_rollback', xact_rollback,
        'tup_inserted', tup_inserted, 'tup_updated', tup_updated, 'tup_deleted', tup_deleted,
        'tup_returned', tup_returned, 'tup_fetched', tup_fetched, 'blks_hit', blks_hit, 'blks_read', blks_read,
        'tables', (SELECT json_object_agg(relname, json_build_object('seq_scan', seq_scan, 'seq_tup_read', seq_tup_read,
            'idx_scan', coalesce(idx_scan, 0), 'idx_tup_fetch', coalesce(idx_tup_fetch, 0), 'n_tup_ins', n_tup_ins,
            'n_tup_upd', n_tup_upd, 'n_tup_del', n_tup_del)) FROM pg_stat_user_tables))
        FROM pg_stat_database WHERE datname = '$1'" 2>/dev/null || echo '{}'
}

metrics() { # port → writer counters JSON
    node "$B/metrics.mjs" "$1" "$W/p/admin.txt" 2>/dev/null || echo '{}'
}

# Runs loadgen in the background with --ready-file; CPU is sampled once every client is connected
# (and the presence storm of connecting has settled) and again when it exits, so the connect
# storm is not charged to the deliveries. Writes $RAW/NAME.json: {"loadgen":…, "cpu_s":{a,b,pg},
# "writer":{…} (node A's /metrics), "pg_stat":{…} (pg_stat_database deltas, on PostgreSQL)}.
# A backend reports its statistics within a second of going idle: pg_stat is read 1.2 s after
# the run (and so is ±1 s at its start).
measured() { # name loadgen-args…
    local name=$1
    shift
    rm -f "$W/ready"
    "$LG" "$@" --ready-file "$W/ready" >"$W/lg.json" &
    LGPID=$!
    for _ in $(seq 1 1800); do [ -e "$W/ready" ] && break; kill -0 "$LGPID" 2>/dev/null || break; sleep 0.1; done
    local c0 c1 m0 m1 p0 p1
    c0=$(cpu_sample)
    m0=$(metrics "$PORT")
    p0=$(pg_db_stats "${DB:-}")
    wait "$LGPID"
    LGPID=
    c1=$(cpu_sample)
    m1=$(metrics "$PORT")
    [ -n "${KAIRAN_STORE:-}" ] && sleep 1.2
    p1=$(pg_db_stats "${DB:-}")
    node -e '
const fs=require("fs"); const [f,c0,c1,m0,m1,tck,p0,p1]=process.argv.slice(1);
const a=c0.split(" ").map(Number), b=c1.split(" ").map(Number), k=["a","b","pg"];
const cpu={}; k.forEach((n,i)=>{ if (b[i]>0) cpu[n]=+((b[i]-a[i])/+tck).toFixed(2); });
const w0=JSON.parse(m0), w1=JSON.parse(m1);
const out={loadgen:JSON.parse(fs.readFileSync(f,"utf8")), cpu_s:cpu};
if (w0.batches!==undefined && w1.batches!==undefined) out.writer={batches:w1.batches-w0.batches, jobs:w1.jobs-w0.jobs,
  avg_batch:+((w1.jobs-w0.jobs)/Math.max(1,w1.batches-w0.batches)).toFixed(2), max_batch_ever:w1.max_batch};
const s0=JSON.parse(p0), s1=JSON.parse(p1);
if (s1.xact_commit!==undefined) {
  const d=(a,b)=>{ const o={}; for (const k in a) o[k]=typeof a[k]==="object" ? d(a[k],(b||{})[k]||{}) : a[k]-((b||{})[k]||0); return o; };
  out.pg_stat=d(s1,s0);
  // per table: only those that moved
  for (const t in out.pg_stat.tables) if (!Object.values(out.pg_stat.tables[t]).some((v)=>v)) delete out.pg_stat.tables[t];
}
process.stdout.write(JSON.stringify(out)+"\n");' "$W/lg.json" "$c0" "$c1" "$m0" "$m1" "$TCK" "$p0" "$p1" >"$RAW/$name.json"
}

# ---------- provisioning (SQLite; copied into PostgreSQL after the SQLite runs) ----------
log "provisioning $NUSERS users and the scenario rooms"
mkdir -p "$W/tmpl" "$W/p"
start_server "$W/tmpl"
node "$B/provision.mjs" --url "http://127.0.0.1:$PORT" --admin-password "$PW" --out "$W/p" --users "$NUSERS" \
    >"$RAW/provision.json" || exit 1
stop_server

NRUN=0
sqlite_dir() { rm -rf "$W/run"; cp -a "$W/tmpl" "$W/run"; }
pg_db() { # → a fresh database copied from tmpl; sets KAIRAN_STORE, DB and the files dir $W/run
    NRUN=$((NRUN + 1))
    DB=run$NRUN
    psql_q postgres "CREATE DATABASE $DB TEMPLATE tmpl" >/dev/null || exit 1
    rm -rf "$W/run"
    cp -a "$W/tmpl-files" "$W/run"
    export KAIRAN_STORE
    KAIRAN_STORE=$(pguri "$DB")
}
sqlite_store() { unset KAIRAN_STORE; }

S2ARGS=(--mode chat --tokens "$W/p/tokens.txt" --rooms "$W/p/s2-rooms.txt" --procs 1 --rates "$S2_RATE"
    --phase-secs "$SECS" --read-prob 0.3 --presence-rate 10 --typing-rate 20 --deadline 120)
S3ARGS=(--mode broadcast --tokens "$W/p/tokens.txt" --admin-token "$W/p/admin.txt" --rooms "$W/p/s3-1000.txt"
    --procs 1 --rates "$S3_RATE" --phase-secs "$SECS" --inflight 32 --deadline 120)
S4ARGS=(--mode durable --tokens "$W/p/tokens.txt" --rooms "$W/p/s4-rooms.txt" --procs 1 --senders 256
    --phase-secs "$S4_SECS")

# ---------- 1. one node, SQLite (PostgreSQL not started yet) ----------
for s in s2 s3; do
    log "SQLite, one node: ${s^^}"
    sqlite_store
    sqlite_dir
    start_server "$W/run"
    if [ $s = s2 ]; then A=("${S2ARGS[@]}"); else A=("${S3ARGS[@]}"); fi
    measured "sqlite-$s" "${A[@]}" --port "$PORT" --server-pid "$SPID"
    stop_server
done

# 4. the durable-send ceiling on SQLite (PostgreSQL's is the last run)
log "SQLite, one node: S4 durable sends"
sqlite_store
sqlite_dir
start_server "$W/run"
measured sqlite-s4 "${S4ARGS[@]}" --port "$PORT" --server-pid "$SPID"
stop_server

# ---------- 2. two nodes, PostgreSQL ----------
log "starting PostgreSQL"
PG_STARTED=1
PGSOCK=$("$ROOT/scripts/pg.sh" start "$PGDIR") || exit 1
"$ROOT/scripts/pg.sh" createdb "$PGDIR" tmpl || exit 1
pguri() { echo "postgresql:///$1?host=$PGSOCK&user=kairan"; }
log "copying the store into PostgreSQL (kairan admin copy-store)"
KAIRAN_DATA=$W/tmpl "$BIN" admin copy-store --to "$(pguri tmpl)" >"$W/copy.log" 2>&1 ||
    { tail -20 "$W/copy.log" >&2; exit 1; }
# the files directory the PostgreSQL nodes share: the template's, without SQLite's files
mkdir -p "$W/tmpl-files"
(cd "$W/tmpl" && find . -mindepth 1 -maxdepth 1 ! -name 'kairan.db*' ! -name '*.db' ! -name '*.db-*' \
    -exec cp -a {} "$W/tmpl-files/" \;)

for s in s2 s3; do
    log "PostgreSQL, two nodes: ${s^^} (senders on A :$PORT, every other client on B :$PORT2)"
    pg_db
    start_server "$W/run"
    start_server2 "$W/run"
    if [ $s = s2 ]; then A=("${S2ARGS[@]}"); else A=("${S3ARGS[@]}"); fi
    measured "pg2-$s" "${A[@]}" --port "$PORT" --port2 "$PORT2" --server-pid "$SPID"
    stop_server2
    stop_server
done

# ---------- 4. durable-send ceiling on PostgreSQL, one node (3: CPU is in every run) ----------
log "PostgreSQL, one node: S4 durable sends"
pg_db
start_server "$W/run"
measured pg1-s4 "${S4ARGS[@]}" --port "$PORT" --server-pid "$SPID"
stop_server
unset KAIRAN_STORE

# ---------- report ----------
{
    echo "{\"date\":\"$(date -u -d "@$T_START" +%Y-%m-%dT%H:%M:%SZ)\",\"nproc\":$(nproc),\"cpu_model\":$(node -p 'JSON.stringify((require("fs").readFileSync("/proc/cpuinfo","utf8").match(/^model name\s*:\s*(.*)$/m)||[])[1]||"")'),"
    echo "\"kernel\":\"$(uname -r)\",\"loadavg_start\":\"$LOAD0\",\"loadavg_end\":\"$(cut -d' ' -f1-3 /proc/loadavg)\","
    echo "\"postgres\":\"$("$PGBIN/postgres" --version)\",\"commit\":\"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)\","
    echo "\"settings\":{\"s2_rate\":$S2_RATE,\"s3_rate\":$S3_RATE,\"secs\":$SECS,\"s4_secs\":$S4_SECS,\"users\":$NUSERS,\"s4_senders\":256},"
    echo "\"wall_s\":$(($(date +%s) - T_START))}"
} >"$RAW/machine.json"
node "$B/cluster-report.mjs" "$RAW" "$RES" || exit 1
log "done in $(($(date +%s) - T_START)) s: $RES/cluster.json, $RES/CLUSTER.md"
