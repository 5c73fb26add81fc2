# Sourced by the peer scripts (mosquitto.sh, prosody.sh, ejabberd.sh).

# port_open PORT: something accepts connections on 127.0.0.1:PORT
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# stop_pid PID [TENTHS]: SIGTERM, up to TENTHS/10 s (default 5 s) to go, then SIGKILL and up to
# 10 s more for it to be gone
stop_pid() {
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 "${2:-50}"); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
}
