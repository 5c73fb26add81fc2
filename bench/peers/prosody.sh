#!/bin/bash
# Prosody 0.12 (Debian package) as a benchmark peer: XMPP over WebSocket (mod_websocket, built in)
# with multi-user chat, on 127.0.0.1 only, own configuration and data in DIR, run in the
# foreground as an ordinary process of the user "prosody" (never the packaged service).
#   bench/peers/prosody.sh start DIR PORT [USERS]   → prints the server's pid; accounts u0…uUSERS
#   bench/peers/prosody.sh stop DIR
# WebSocket: ws://127.0.0.1:PORT/xmpp-websocket; domain "localhost", rooms on "conference.localhost".
#
# Changes from Prosody's defaults, so that the server and not its configuration is measured:
#   - only the modules the benchmark needs (saslauth, disco, websocket, muc): no mod_limits (the
#     packaged configuration's c2s rate limit of 10 kB/s), no smacks, carbons, roster pushes, mam,
#     offline storage, s2s;
#   - authentication = "internal_plain" and accounts written by this script as data files (one
#     per user, as prosodyctl register would store them, without a process per account);
#   - c2s_require_encryption = false, allow_unencrypted_plain_auth = true,
#     consider_websocket_secure = true: SASL PLAIN over ws:// on loopback (no TLS on either side,
#     as for Kairan in bench/run.sh);
#   - MUC: muc_room_locking = false (a joined room is usable at once), history off
#     (muc_room_default_history_length = 0, max_history_messages = 0), muc_tombstones = false,
#     muc_room_cache_size 10000; Prosody 0.12 has no occupant cap without community modules;
#   - file limit 20,000 (the machine's cap), log level warn.
set -u
. "$(dirname "$0")/common.sh"
cmd=${1:-}
D=${2:?usage: prosody.sh start|stop DIR [PORT] [USERS]}
case "$cmd" in
start)
    PORT=${3:?port}
    USERS=${4:-1000}
    command -v prosody >/dev/null 2>&1 || { echo "prosody.sh: install the Debian package prosody" >&2; exit 1; }
    mkdir -p "$D/data/localhost/accounts"
    cat >"$D/prosody.cfg.lua" <<CONF
pidfile = "$D/prosody.pid"
data_path = "$D/data"
plugin_paths = { }
log = { warn = "$D/prosody.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { $((PORT + 1)) }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
http_ports = { $PORT }
http_interfaces = { "127.0.0.1" }
https_ports = { }
modules_enabled = { "saslauth"; "disco"; "websocket" }
modules_disabled = { "s2s"; "offline"; "c2s_limits" }
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
consider_websocket_secure = true
VirtualHost "localhost"
Component "conference.localhost" "muc"
    muc_room_locking = false
    muc_room_default_history_length = 0
    max_history_messages = 0
    muc_tombstones = false
    muc_room_cache_size = 10000
    muc_room_default_public = true
    muc_room_default_presence_broadcast = { moderator = true; participant = false; visitor = false }
CONF
    # accounts u0…uUSERS, password "pw" (the format of Prosody's internal_plain account store)
    awk -v n="$USERS" -v d="$D/data/localhost/accounts" 'BEGIN {
        for (i = 0; i <= n; i++) { f = d "/u" i ".dat"; print "return {\n\t[\"password\"] = \"pw\";\n};" > f; close(f) } }'
    [ "$(id -u)" = 0 ] && chown -R prosody:prosody "$D"
    ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=prosody --regid=prosody --init-groups prosody --config "$D/prosody.cfg.lua" -F >>"$D/stdout.log" 2>&1 &
    else
        prosody --config "$D/prosody.cfg.lua" -F >>"$D/stdout.log" 2>&1 &
    fi
    pid=$!
    echo "$pid" >"$D/pid"
    for _ in $(seq 1 200); do
        port_open "$PORT" && { echo "$pid"; exit 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "prosody.sh: the server did not start:" >&2
    tail -n 5 "$D/stdout.log" "$D/prosody.log" >&2
    exit 1
    ;;
stop)
    [ -f "$D/pid" ] || exit 0
    stop_pid "$(cat "$D/pid")"
    rm -f "$D/pid"
    ;;
*)
    echo "usage: prosody.sh start DIR PORT [USERS] | stop DIR" >&2
    exit 2
    ;;
esac
