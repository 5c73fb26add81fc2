#!/bin/bash
# ejabberd 23.01 (Debian package) as a benchmark peer: XMPP over WebSocket (ejabberd_http_ws)
# with multi-user chat, on 127.0.0.1 only, own configuration, Mnesia spool and logs in DIR, run in
# the foreground as an ordinary process of the user "ejabberd" (never the packaged service).
#   bench/peers/ejabberd.sh start DIR PORT   → prints the BEAM VM's pid
#   bench/peers/ejabberd.sh stop DIR
# WebSocket: ws://127.0.0.1:PORT/ws; domain "localhost", rooms on "conference.localhost".
# Accounts: none to provision. auth_method anonymous with anonymous_protocol login_anon lets a
# client log in with SASL PLAIN under any user name, and the session is then an ordinary bound
# session (in-band registration of 1,000 accounts stalled after ~860 in 30 s on this machine;
# ejabberdctl register costs a VM start per account).
# Erlang distribution on 127.0.0.1:PORT+2 without epmd (so no epmd daemon outlives the run).
#
# Changes from ejabberd's defaults, so that the server and not its configuration is measured:
#   - no shapers (the packaged configuration limits c2s to 1,000 B/s), no stream management,
#     offline storage, roster, MAM or TLS; max_fsm_queue 1,000,000 (default 10,000: a
#     room's broadcast could kill its process);
#   - MUC: max_users 10,000 (default 200), history_size 0, presence broadcast to moderators only
#     (as for Prosody: otherwise each join costs O(room size) presence stanzas), no minimum
#     message/presence interval, rooms in RAM;
#   - listener backlog 4,096 (default 5: a connect storm stalls in the accept queue);
#   - SASL PLAIN without TLS on loopback (as for Kairan in bench/run.sh), log level warning;
#   - file limit 20,000 (the machine's cap), ERL_MAX_PORTS 32,000, +P 1,000,000 processes.
set -u
. "$(dirname "$0")/common.sh"
cmd=${1:-}
D=${2:?usage: ejabberd.sh start|stop DIR [PORT]}
case "$cmd" in
start)
    PORT=${3:?port}
    [ -x /usr/sbin/ejabberdctl ] || { echo "ejabberd.sh: install the Debian package ejabberd" >&2; exit 1; }
    mkdir -p "$D/spool" "$D/logs"
    cp /etc/ejabberd/inetrc "$D/inetrc"
    cat >"$D/ejabberdctl.cfg" <<CONF
ERLANG_NODE=kairanbench@localhost
POLL=true
ERL_MAX_PORTS=32000
ERL_PROCESSES=1000000
ERL_DIST_PORT=$((PORT + 2))
ERL_EPMD_ADDRESS=127.0.0.1
INET_DIST_INTERFACE=127.0.0.1
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"
EJABBERD_PID_PATH=$D/ejabberd.pid
CONF
    cat >"$D/ejabberd.yml" <<CONF
hosts:
  - localhost
loglevel: warning
log_rotate_count: 0
certfiles: []
acme:
  auto: false
max_fsm_queue: 1000000
auth_method: [anonymous]
anonymous_protocol: login_anon
allow_multiple_connections: true
listen:
  - port: $PORT
    ip: "127.0.0.1"
    backlog: 4096
    module: ejabberd_http
    request_handlers:
      /ws: ejabberd_http_ws
modules:
  mod_disco: {}
  mod_muc:
    host: conference.localhost
    access: all
    access_create: all
    access_persistent: all
    history_size: 0
    max_users: 10000
    max_users_presence: 10000
    min_message_interval: 0
    min_presence_interval: 0
    queue_type: ram
    default_room_options:
      mam: false
      persistent: false
      max_users: 10000
      presence_broadcast: [moderator]
CONF
    [ "$(id -u)" = 0 ] && chown -R ejabberd:ejabberd "$D"
    ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    # As root: setpriv to the user "ejabberd" (ejabberdctl itself would use su, whose PAM session
    # resets the file limit to 1,024). HOME: the Erlang cookie is written there.
    AS=()
    [ "$(id -u)" = 0 ] && AS=(setpriv --reuid=ejabberd --regid=ejabberd --init-groups env HOME="$D")
    "${AS[@]}" /usr/sbin/ejabberdctl --config-dir "$D" --config "$D/ejabberd.yml" --spool "$D/spool" --logs "$D/logs" \
        foreground >>"$D/stdout.log" 2>&1 &
    echo $! >"$D/ctl.pid"
    for _ in $(seq 1 300); do
        if port_open "$PORT" && [ -s "$D/ejabberd.pid" ]; then
            cat "$D/ejabberd.pid"
            exit 0
        fi
        kill -0 "$(cat "$D/ctl.pid")" 2>/dev/null || break
        sleep 0.1
    done
    echo "ejabberd.sh: the server did not start:" >&2
    tail -n 5 "$D/stdout.log" "$D/logs/ejabberd.log" >&2
    exit 1
    ;;
stop)
    for f in ejabberd.pid ctl.pid; do
        [ -s "$D/$f" ] || continue
        stop_pid "$(cat "$D/$f")" 100
        rm -f "$D/$f"
    done
    ;;
*)
    echo "usage: ejabberd.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
