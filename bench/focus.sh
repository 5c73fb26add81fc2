#!/bin/bash
# One or two scenarios alone, several times, for before/after comparisons of a server change
# (the whole `make bench` takes 15 minutes). Provisions a small data directory once (6,000
# users, the same rooms as bench/run.sh) into $BENCH_CACHE and reuses it, so that two server
# builds are measured on the same data; each run starts from a fresh copy of it.
#
#   bench/focus.sh s4|s3 [runs] [secs]     default 3 runs of 8 s
#
# Environment: KAIRAN_BIN (default build/kairan), BENCH_PORT (default 18191), BENCH_CACHE
# (default /tmp/kairan-focus; delete it to provision again), S3_RATES (default 500,0: 500
# sends/s = 500k deliveries/s, then closed loop), S3_MEMBERS (1000 or 5000), S3_PROCS (generator
# processes for S3, default 1), S4_SENDERS (default 256). Prints one JSON line per run and a
# summary with the median of the runs, and the writer's wall time per job by phase (/metrics).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
BIN=${KAIRAN_BIN:-$ROOT/build/kairan}
LG=$B/bin/loadgen
PORT=${BENCH_PORT:-18191}
PW='Bench-Admin-pw-4471!'
CACHE=${BENCH_CACHE:-/tmp/kairan-focus}
WHAT=${1:?usage: bench/focus.sh s4|s3 [runs] [secs]}
RUNS=${2:-3}
SECS=${3:-8}
W=$(mktemp -d /tmp/kairan-focus-run.XXXXXX)
SPID=

log() { echo "[focus] $*" >&2; }
cleanup() {
    stop_server
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$B/server.sh"

[ -x "$BIN" ] || { log "no $BIN: run make first"; exit 1; }
[ -x "$LG" ] || sh "$B/build.sh" >&2
ulimit -n 20000 2>/dev/null || true

if [ ! -e "$CACHE/done" ]; then
    log "provisioning 6,000 users into $CACHE (once)"
    rm -rf "$CACHE"
    mkdir -p "$CACHE/data" "$CACHE/p"
    start_server "$CACHE/data"
    node "$B/provision.mjs" --url "http://127.0.0.1:$PORT" --admin-password "$PW" --out "$CACHE/p" --users 6000 \
        >"$W/provision.log" || { log "provisioning failed"; exit 1; }
    stop_server
    touch "$CACHE/done"
fi

# CPU ticks (utime+stime) of the writer thread: the first thread the server starts, so the
# second-lowest id in /proc/PID/task. Per job, it is the figure least moved by other load.
writer_ticks() {
    local tid
    tid=$(grep -lx writer /proc/"$SPID"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5)
    [ -n "$tid" ] || tid=$(ls /proc/"$SPID"/task | sort -n | sed -n 2p) # a build without thread names
    awk '{print $14 + $15}' /proc/"$SPID"/task/"$tid"/stat
}

for i in $(seq 1 "$RUNS"); do
    rm -rf "$W/run"
    cp -a "$CACHE/data" "$W/run"
    start_server "$W/run"
    node "$B/metrics.mjs" "$PORT" "$CACHE/p/admin.txt" >"$W/m0.json" 2>/dev/null || echo '{}' >"$W/m0.json"
    WT0=$(writer_ticks)
    SW0=$(awk '/^syscw/ {print $2}' /proc/"$SPID"/io)
    case $WHAT in
    s4)
        $LG --mode durable --port "$PORT" --tokens "$CACHE/p/tokens.txt" --rooms "$CACHE/p/s4-rooms.txt" --procs 1 \
            --server-pid "$SPID" --senders "${S4_SENDERS:-256}" --phase-secs "$SECS" >"$W/out.json"
        ;;
    s3)
        # The counters start once everyone is connected (the connect storm is not S3's subject).
        rm -f "$W/ready"
        $LG --mode broadcast --port "$PORT" --tokens "$CACHE/p/tokens.txt" --admin-token "$CACHE/p/admin.txt" \
            --rooms "$CACHE/p/s3-${S3_MEMBERS:-1000}.txt" --procs "${S3_PROCS:-1}" --server-pid "$SPID" --rates "${S3_RATES:-500,0}" --phase-secs "$SECS" \
            --inflight 32 --deadline 120 --ready-file "$W/ready" >"$W/out.json" &
        LGPID=$!
        for _ in $(seq 1 1200); do [ -e "$W/ready" ] && break; kill -0 $LGPID 2>/dev/null || break; sleep 0.1; done
        node "$B/metrics.mjs" "$PORT" "$CACHE/p/admin.txt" >"$W/m0.json" 2>/dev/null || echo '{}' >"$W/m0.json"
        WT0=$(writer_ticks)
        SW0=$(awk '/^syscw/ {print $2}' /proc/"$SPID"/io)
        wait $LGPID
        ;;
    *)
        log "unknown scenario $WHAT"
        exit 2
        ;;
    esac
    WT1=$(writer_ticks)
    SW1=$(awk '/^syscw/ {print $2}' /proc/"$SPID"/io)
    node "$B/metrics.mjs" "$PORT" "$CACHE/p/admin.txt" >"$W/m1.json" 2>/dev/null || echo '{}' >"$W/m1.json"
    stop_server
    node -e '
const fs=require("fs"); const [a,b,c]=process.argv.slice(1,4).map(f=>JSON.parse(fs.readFileSync(f,"utf8")));
const ms=(x)=>+(x/1000).toFixed(1);
const line={load:fs.readFileSync("/proc/loadavg","utf8").split(" ")[0], phases:a.phases.map(p=>({rate:p.rate, acks_per_s:p.acks_per_s,
  deliveries_per_s:p.deliveries_per_s, ack_p50_ms:ms(p.ack_us.p50), ack_p99_ms:ms(p.ack_us.p99), ack_max_ms:ms(p.ack_us.max),
  last_p99_ms:ms(p.last_recipient_us.p99), server_cores:p.server_cores, loadgen_cores:p.loadgen_cores, errors:p.send_errors}))};
if (b.batches!==undefined && c.batches!==undefined) {
  const jobs=c.jobs-b.jobs;
  line.avg_batch=+(jobs/Math.max(1,c.batches-b.batches)).toFixed(1);
  line.writer_us_per_job=+((+process.argv[5]-+process.argv[4])*1e4/Math.max(1,jobs)).toFixed(1);
  if (c.run_s!==undefined && !isNaN(c.run_s)) {
    const us=(k)=>+((c[k]-b[k])*1e6/Math.max(1,jobs)).toFixed(1);
    line.writer_wall_us_per_job={run:us("run_s"), commit:us("commit_s"), done:us("done_s"), sync:us("sync_s")};
  }
  line.server_us_per_send=+(a.server.cpu_s*1e6/Math.max(1,a.phases.reduce((t,p)=>t+p.acked,0))).toFixed(1);
}
const dels=a.phases.reduce((t,p)=>t+p.deliveries_per_s*p.delivery_span_s,0);
if (dels>0) line.deliveries_per_write=+(dels/Math.max(1,+process.argv[7]-+process.argv[6])).toFixed(2);
console.log(JSON.stringify(line));' "$W/out.json" "$W/m0.json" "$W/m1.json" "$WT0" "$WT1" "$SW0" "$SW1" | tee -a "$W/lines"
done
node -e '
const lines=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse);
const med=(v)=>{v=[...v].sort((x,y)=>x-y); return v[Math.floor(v.length/2)];};
const n=lines[0].phases.length;
for (let k=0;k<n;k++) {
  const f=(key)=>lines.map(l=>l.phases[k][key]);
  console.log(`median of ${lines.length}, rate ${lines[0].phases[k].rate}: acks/s ${med(f("acks_per_s"))} [${f("acks_per_s").join(", ")}]`+
    ` deliveries/s ${med(f("deliveries_per_s"))} ack p99 ${med(f("ack_p99_ms"))} ms last-recipient p99 ${med(f("last_p99_ms"))} ms`+
    ` [${f("last_p99_ms").join(", ")}] server cores ${med(f("server_cores"))}`);
}
if (lines[0].writer_us_per_job!==undefined) {
  const g=(key)=>lines.map(l=>l[key]);
  console.log(`writer CPU per job ${med(g("writer_us_per_job"))} µs [${g("writer_us_per_job").join(", ")}],`+
    ` server CPU per acked send ${med(g("server_us_per_send"))} µs [${g("server_us_per_send").join(", ")}],`+
    ` avg batch ${med(g("avg_batch"))}`);
  if (lines[0].writer_wall_us_per_job!==undefined) {
    const w=(k)=>med(lines.map(l=>l.writer_wall_us_per_job[k]));
    console.log(`writer wall time per job: run ${w("run")} µs, commit ${w("commit")} µs, done ${w("done")} µs; syncer ${w("sync")} µs`);
  }
  if (lines[0].deliveries_per_write!==undefined)
    console.log(`deliveries per write syscall ${med(g("deliveries_per_write"))} [${g("deliveries_per_write").join(", ")}]`);
}' "$W/lines"
