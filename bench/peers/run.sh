#!/bin/bash
# The peers of issue 4 measured with bench/bin/peerload on this machine, as Kairan is in
# bench/run.sh: S1 (idle connections: server memory per connection), S3 (broadcast to a room
# of 1,000 members: deliveries/s, last-recipient latency) and an S2-like run (2,000 members in
# rooms of 10, 50 sends/s from each room's first member: send→deliver latency). Called by `make bench-peers` after
# bench/build.sh; then bench/report.mjs puts the side-by-side section into REPORT.md.
# Peers: Mosquitto (MQTT over WebSocket; also MQTT on plain TCP, the broker's own ceiling),
# Prosody and ejabberd (XMPP over WebSocket, multi-user chat). Each runs on 127.0.0.1 with its own
# configuration and data in a temporary directory (bench/peers/<peer>.sh), and is stopped after
# each scenario (trap). Results: bench/results/peers/*.json, summarised in bench/results/peers.json.
#
# Environment: BENCH_QUICK=1 (fewer connections, shorter phases), PEERS="mosquitto prosody ejabberd",
# PEER_S1_CLIENTS (default 19000, as Kairan's S1), PEER_PORT (default 18890), PEER_KAIRAN=0 (skip
# Kairan's own S3 rerun, bench/peers/kairan-s3.sh, which needs build/kairan).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/bench
OUT=$B/results/peers
PL=$B/bin/peerload
Q=${BENCH_QUICK:-0}
PEERS=${PEERS:-mosquitto prosody ejabberd}
PORT=${PEER_PORT:-18890}
W=$(mktemp -d /tmp/kairan-peers.XXXXXX)
chmod 755 "$W"
CUR=
CURDIR=
T_START=$(date +%s)

log() { echo "[peers $(($(date +%s) - T_START))s] $*" >&2; }
stop_peer() { [ -n "$CUR" ] && "$B/peers/$CUR.sh" stop "$CURDIR"; CUR=; }
cleanup() {
    stop_peer
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { # command package
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
    log "installing $2"
    timeout 600 apt-get install -y -q "$2" >/dev/null 2>&1 ||
        { timeout 300 apt-get update -q >/dev/null 2>&1 && timeout 600 apt-get install -y -q "$2" >/dev/null 2>&1; } ||
        log "could not install $2"
}
# The packages' own services are not used; with systemd, keep them from running.
for p in $PEERS; do
    need "$([ "$p" = ejabberd ] && echo ejabberdctl || echo "$p")" "$p"
    command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1 &&
        systemctl disable --now "$p" >/dev/null 2>&1
done

if [ "$Q" = 1 ]; then S1N=${PEER_S1_CLIENTS:-3000}; PH=3; else S1N=${PEER_S1_CLIENTS:-19000}; PH=8; fi
PROCS=$(((S1N + 8999) / 9000))
mkdir -p "$OUT"
for p in $PEERS; do rm -f "$OUT/$p"-*.json; done # only what this run measures again
ulimit -n 20000 2>/dev/null || true

start_peer() { # peer users → $SPID
    # the previous server (thousands of sockets) may still be closing: the port must be free first,
    # or the new server fails to bind while the readiness check talks to the old one
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break; sleep 0.1; done
    CUR=$1
    CURDIR=$W/$1-$RANDOM
    SPID=$("$B/peers/$1.sh" start "$CURDIR" "$PORT" "$2") || { CUR=; return 1; }
}

run_peer() { # peer
    local p=$1 args=() rates
    case $p in
    mosquitto) args=(--proto mqtt --port "$PORT" --path /mqtt); rates=50,100,200,0 ;;
    prosody) args=(--proto xmpp --port "$PORT" --path /xmpp-websocket); rates=5,10,20,0 ;;
    ejabberd) args=(--proto xmpp --port "$PORT" --path /ws); rates=5,10,20,0 ;;
    esac
    log "$p S1 idle: $S1N connections"
    if start_peer "$p" "$S1N"; then
        timeout 300 "$PL" "${args[@]}" --mode idle --clients "$S1N" --procs "$PROCS" --server-pid "$SPID" \
            --hold $((PH + 2)) --max-pending 256 --deadline 180 >"$OUT/$p-s1.json"
        stop_peer
    fi
    log "$p S3 broadcast to 1000"
    if start_peer "$p" 1000; then
        timeout 400 "$PL" "${args[@]}" --mode broadcast --clients 1000 --server-pid "$SPID" --rates "$rates" \
            --phase-secs "$PH" --inflight 32 --max-pending 64 --deadline 120 >"$OUT/$p-s3-1000.json"
        if [ "$p" = mosquitto ]; then
            log "mosquitto S3 over plain TCP"
            timeout 400 "$PL" --proto mqtt --tcp --port $((PORT - 1)) --mode broadcast --clients 1000 --room s3tcp \
                --server-pid "$SPID" --rates "$rates" --phase-secs "$PH" --inflight 32 --deadline 60 \
                >"$OUT/mosquitto-tcp-s3-1000.json"
        fi
        stop_peer
    fi
    log "$p S2-like: 2000 members in rooms of 10, 50 sends/s"
    if start_peer "$p" 2000; then
        timeout 200 "$PL" "${args[@]}" --mode broadcast --clients 2000 --room-size 10 --server-pid "$SPID" --rates 50 \
            --phase-secs $((PH * 2)) --max-pending 64 --deadline 120 >"$OUT/$p-s2-rooms10.json"
        stop_peer
    fi
}

# Kairan's S3 at 1,000 once more, first, so that the ratios compare runs under the same load.
KBIN=${KAIRAN_BIN:-$ROOT/build/kairan}
if [ "${PEER_KAIRAN:-1}" = 1 ] && [ -x "$KBIN" ]; then
    rm -f "$OUT/kairan-s3-1000.json"
    log "Kairan S3 broadcast to 1000 (same session as the peers)"
    timeout 300 "$B/peers/kairan-s3.sh" "$PH" >"$OUT/kairan-s3-1000.json" || rm -f "$OUT/kairan-s3-1000.json"
fi
for p in $PEERS; do run_peer "$p"; done
node -e '
const fs = require("fs"), path = require("path"), dir = process.argv[1], out = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  try { out[f.replace(/\.json$/, "")] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")); } catch {}
}
const ver = (c) => { try { return require("child_process").execSync(c, { encoding: "utf8" }).trim(); } catch { return null; } };
const versions = {
  mosquitto: ver("dpkg-query -W -f=\x27${Version}\x27 mosquitto"), prosody: ver("dpkg-query -W -f=\x27${Version}\x27 prosody"),
  ejabberd: ver("dpkg-query -W -f=\x27${Version}\x27 ejabberd"),
};
fs.writeFileSync(path.join(dir, "..", "peers.json"), JSON.stringify({ date: new Date().toISOString(), quick: process.argv[2] === "1",
  s1_clients: +process.argv[3], load: fs.readFileSync("/proc/loadavg", "utf8").trim(), versions, runs: out }, null, 1) + "\n");
' "$OUT" "$Q" "$S1N"
log "done in $(($(date +%s) - T_START)) s: $B/results/peers.json"
