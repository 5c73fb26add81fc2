#!/bin/sh
# Installs the package built by `make deb` on this machine, serves / with the systemd unit's own
# command line and user (systemd itself where it runs), then purges it and checks nothing is
# left. Run as root; it undoes what it did. Kept out of `make test` for CI's time.
set -eu
cd "$(dirname "$0")/.."
deb=$(ls build-deb/kairan_*.deb | head -1)
fail() { echo "test-deb: $*" >&2; exit 1; }
cleanup() {
    [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
    dpkg -s kairan >/dev/null 2>&1 && apt-get purge -y -qq kairan >/dev/null 2>&1 || true
}
trap cleanup EXIT
dpkg -s kairan >/dev/null 2>&1 && fail "kairan is already installed here; refusing to touch it"
apt-get install -y -qq "./$deb" >/dev/null
test -x /usr/bin/kairan || fail "no /usr/bin/kairan"
test -f /usr/share/kairan/web/index.html || fail "no web client"
test -f /etc/kairan/kairan.conf || fail "no configuration"
getent passwd kairan >/dev/null || fail "no kairan user"
unit=/lib/systemd/system/kairan.service
test -f "$unit" || fail "no systemd unit"
port=18089
if [ -d /run/systemd/system ]; then
    mkdir -p /etc/systemd/system/kairan.service.d
    printf '[Service]\nEnvironment=KAIRAN_LISTEN=127.0.0.1:%s\n' "$port" > /etc/systemd/system/kairan.service.d/test.conf
    systemctl daemon-reload
    systemctl start kairan
else
    # No systemd here: the unit's ExecStart, as its user, in its state directory.
    cmd=$(sed -n 's/^ExecStart=//p' "$unit")
    (cd /var/lib/kairan && KAIRAN_LISTEN=127.0.0.1:$port runuser -u kairan -- $cmd >/tmp/kairan-test-deb.log 2>&1) &
    pid=$!
fi
ok=0
for i in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/" 2>/dev/null | grep -q '回覧\|kairan\|Kairan'; then ok=1; break; fi
    sleep 0.1
done
[ "$ok" = 1 ] || { cat /tmp/kairan-test-deb.log 2>/dev/null; fail "/ was not served"; }
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q ok || fail "/healthz"
test -f /var/lib/kairan/kairan.db || fail "no database in /var/lib/kairan"
if [ -d /run/systemd/system ]; then
    systemctl stop kairan
    rm -rf /etc/systemd/system/kairan.service.d
else
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
fi
apt-get purge -y -qq kairan >/dev/null
test ! -e /usr/bin/kairan || fail "/usr/bin/kairan left"
test ! -e /var/lib/kairan || fail "/var/lib/kairan left after purge"
test ! -e /etc/kairan || fail "/etc/kairan left after purge"
! getent passwd kairan >/dev/null || fail "user kairan left after purge"
echo "test-deb: installed, served / and /healthz, purged cleanly ($deb)"
