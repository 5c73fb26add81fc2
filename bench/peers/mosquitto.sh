#!/bin/bash
# Mosquitto (Debian package) as a benchmark peer: MQTT over WebSocket on 127.0.0.1 only, own
# configuration, no persistence, run as an ordinary process (never the packaged service).
#   bench/peers/mosquitto.sh start DIR PORT   → prints the broker's pid; config and log in DIR
#   bench/peers/mosquitto.sh stop DIR
# Mosquitto 2.0.11 will not start with a WebSocket listener alone, and its WebSocket listener
# (libwebsockets) binds to an interface, not an address: hence a plain MQTT listener on
# 127.0.0.1:PORT-1 (unused) and the WebSocket one on PORT of the interface "lo" (::ffff:127.0.0.1).
# Limits raised from the defaults so that the broker, not its configuration, is measured:
#   max_connections -1 (no cap), max_queued_messages 0 and max_queued_bytes 0 (no per-client queue cap:
#   the default 1,000 messages would drop QoS 0 publications under a fast sender),
#   set_tcp_nodelay true (the default leaves Nagle on: each subscriber would wait for delayed ACKs),
#   persistence false (nothing written to disk), logging to stderr (→ DIR/mosquitto.log: started as root,
#   the broker drops to the user "mosquitto" and could not open a log file in DIR) with no per-connection notices.
set -u
. "$(dirname "$0")/common.sh"
cmd=${1:-}
D=${2:?usage: mosquitto.sh start|stop DIR [PORT]}
case "$cmd" in
start)
    PORT=${3:?port}
    command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] ||
        { echo "mosquitto.sh: install the Debian package mosquitto" >&2; exit 1; }
    mkdir -p "$D"
    cat >"$D/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence false
log_dest stderr
log_type error
log_type warning
connection_messages false
max_connections -1
set_tcp_nodelay true
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages 0
websockets_log_level 0
listener $((PORT - 1)) 127.0.0.1
listener $PORT lo
protocol websockets
CONF
    ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    /usr/sbin/mosquitto -c "$D/mosquitto.conf" >>"$D/mosquitto.log" 2>&1 &
    pid=$!
    echo "$pid" >"$D/pid"
    for _ in $(seq 1 100); do
        port_open "$PORT" && { echo "$pid"; exit 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "mosquitto.sh: the broker did not start:" >&2
    tail -5 "$D/mosquitto.log" >&2
    exit 1
    ;;
stop)
    [ -f "$D/pid" ] || exit 0
    stop_pid "$(cat "$D/pid")"
    rm -f "$D/pid"
    ;;
*)
    echo "usage: mosquitto.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
