#!/bin/sh
# Installs what Kairan needs to build, run and test, from Debian's packages (and npm for the
# test tooling only). Safe to run again: it installs only what is missing.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh test     also what the test suite needs (Chromium, fonts, sanitizer runtime, npm,
#                                    PostgreSQL 15 for `make test-api-pg`, nginx for its config check)
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential meson ninja-build pkg-config libh2o-evloop-dev libjansson-dev libsqlite3-dev
      libsodium-dev libmagic-dev libssl-dev zlib1g-dev libpango1.0-dev libcairo2-dev libpoppler-glib-dev fonts-noto-cjk libldap-dev
      libgdk-pixbuf-2.0-dev libpq-dev"
if [ "${1:-}" = test ]; then
    PKGS="$PKGS libcmocka-dev clang libclang-rt-14-dev nodejs npm chromium fonts-noto-cjk sqlite3 curl openssl unzip libreoffice-calc-nogui poppler-utils slapd ldap-utils
          postgresql-15 postgresql-contrib nginx-light"
fi

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# The machine's own Node (e.g. /usr/local/bin/node) is as good as Debian's.
case " $missing " in *" nodejs "*) command -v node >/dev/null && missing=$(echo "$missing" | sed 's/ nodejs//');; esac
case " $missing " in *" npm "*) command -v npm >/dev/null && missing=$(echo "$missing" | sed 's/ npm//');; esac
# Any nginx (nginx-full, nginx-extras, ...) will do; nginx-light would replace the one installed.
case " $missing " in *" nginx-light "*) { command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null && missing=$(echo "$missing" | sed 's/ nginx-light//');; esac

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing Debian packages:$missing (run as root, or install them)" >&2
        exit 1
    fi
    echo "install-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # The tests start their own slapd in a temporary directory; the packaged service is not wanted.
    case " $missing " in *" slapd "*)
        if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
            systemctl disable --now slapd >/dev/null 2>&1 || true
        fi;;
    esac
    # Likewise PostgreSQL (scripts/pg.sh starts one in a temporary directory) and nginx (only its
    # config check is wanted): not the packaged services.
    for svc in postgresql:postgresql-15 nginx:nginx-light; do
        case " $missing " in *" ${svc#*:} "*)
            if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
                systemctl disable --now "${svc%%:*}" >/dev/null 2>&1 || true
            fi;;
        esac
    done
fi

if [ "${1:-}" = test ] && [ ! -d node_modules/ws ] || { [ "${1:-}" = test ] && [ ! -d node_modules/playwright-core ]; }; then
    echo "install-deps: npm ci (test tooling)"
    npm ci --no-audit --no-fund --loglevel=error
fi
exit 0
