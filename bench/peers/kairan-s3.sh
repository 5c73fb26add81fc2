#!/bin/bash
# Kairan's S3 at 1,000 members again, in the same session as the peers (bench/peers/run.sh calls
# it first), so that the side-by-side ratios compare runs under the same machine load. The same
# server set-up and generator command as bench/run.sh's S3, with 6,000 provisioned users (as
# BENCH_QUICK) and the phase length given. Output: the loadgen JSON on stdout.
#   bench/peers/kairan-s3.sh PHASE_SECS
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/bench
BIN=${KAIRAN_BIN:-$ROOT/build/kairan}
PORT=${BENCH_PORT:-18181}
PW='Bench-Admin-pw-4471!'
PH=${1:-8}
W=$(mktemp -d /tmp/kairan-s3.XXXXXX)
[ -x "$BIN" ] || { echo "kairan-s3.sh: no $BIN (run make)" >&2; exit 1; }
log() { echo "kairan-s3.sh: $*" >&2; }
. "$B/server.sh"
trap 'stop_server; rm -rf "$W"' EXIT
ulimit -n 20000 2>/dev/null || true
mkdir -p "$W/data" "$W/p"
start_server "$W/data"
node "$B/provision.mjs" --url "http://127.0.0.1:$PORT" --admin-password "$PW" --out "$W/p" --users 6000 --stage users >/dev/null || exit 1
node "$B/provision.mjs" --url "http://127.0.0.1:$PORT" --admin-password "$PW" --out "$W/p" --stage rooms >/dev/null || exit 1
stop_server
start_server "$W/data"
"$B/bin/loadgen" --mode broadcast --port "$PORT" --tokens "$W/p/tokens.txt" --admin-token "$W/p/admin.txt" \
    --rooms "$W/p/s3-1000.txt" --procs 1 --server-pid "$SPID" --rates 100,300,500,1000,0 --phase-secs "$PH" --inflight 32 \
    --deadline 120
