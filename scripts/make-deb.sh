#!/bin/sh
# Builds the Debian package (build-deb/kairan_VERSION_ARCH.deb) from the committed tree:
# a clean export of HEAD, packaging/debian/ as its debian/, dpkg-buildpackage -b.
set -eu
cd "$(dirname "$0")/.."
out="$PWD/build-deb"
rm -rf "$out"
mkdir -p "$out/src"
git archive --format=tar HEAD | tar -x -C "$out/src"
cp -r packaging/debian "$out/src/debian"
# The version: the last release tag, and how far past it this commit is.
v=$(git describe --tags --match 'v*' 2>/dev/null | sed 's/^v//; s/-\([0-9]*\)-g\([0-9a-f]*\)$/+\1.g\2/')
[ -n "$v" ] || v=0.0.0
cat > "$out/src/debian/changelog" <<CHANGELOG
kairan ($v) bookworm; urgency=medium

  * Built from $(git rev-parse --short HEAD).

 -- Kairan maintainers <kairan-maintainers@city.example.jp>  $(date -R)
CHANGELOG
cd "$out/src"
dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
ls "$out"/*.deb
if command -v lintian >/dev/null; then
    lintian --no-tag-display-limit "$out"/*.deb || true
fi
