#!/bin/sh
# Builds the libFuzzer targets with ASan and UBSan and runs each for a while.
#
# Usage: tests/fuzz/run.sh [seconds-per-target]   (default 10; run from anywhere)
# Built directly with clang rather than Meson, because -fsanitize=fuzzer supplies its own
# main() and must not leak into the normal build. Seeds in tests/fuzz/corpus/<target>/ are
# only read; what libFuzzer discovers goes to build-fuzz/corpus/<target>/, and a crashing
# input to build-fuzz/artifacts/. Exits non-zero when any target crashes.
set -eu

secs=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build-fuzz"
cc=${CC:-clang}
cflags="-g -O1 -std=gnu11 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$root/src"

mkdir -p "$out/artifacts"

build() {
    name=$1
    shift
    echo "build $name"
    "$cc" $cflags -o "$out/$name" "$root/tests/fuzz/$name.c" "$@"
}

build fuzz_utf8 "$root/src/util/utf8.c"
build fuzz_kana "$root/src/util/kana.c" "$root/src/util/utf8.c"
build fuzz_csv "$root/src/util/csv.c" "$root/src/util/utf8.c"
build fuzz_wsframe "$root/src/server/wsframe.c" "$root/src/util/utf8.c"
build fuzz_pii "$root/src/policy/pii.c" "$root/src/util/utf8.c"
build fuzz_reqparse "$root/src/util/reqparse.c" "$root/src/util/utf8.c" "$root/src/util/xmalloc.c"
build fuzz_markdown "$root/src/util/markdown.c"
build fuzz_doctext "$root/src/util/doctext.c" "$root/src/util/doctext_pdf.c" "$root/src/util/csv.c" "$root/src/util/utf8.c" \
    "$root/src/util/xmalloc.c" -lz $(pkg-config --cflags --libs poppler-glib)
build fuzz_search "$root/src/util/searchtok.c" "$root/src/util/searchq.c" "$root/src/util/kana.c" "$root/src/util/utf8.c" \
    "$root/src/util/xmalloc.c"
# JSON request bodies through the API's own readers (src/api/common.c, stubs for the rest).
build fuzz_body "$root/src/util/reqparse.c" "$root/src/util/utf8.c" "$root/src/util/xmalloc.c" -ljansson -lsodium

status=0
for name in fuzz_utf8 fuzz_kana fuzz_csv fuzz_wsframe fuzz_pii fuzz_reqparse fuzz_body fuzz_doctext fuzz_markdown fuzz_search; do
    target=${name#fuzz_}
    mkdir -p "$out/corpus/$target"
    echo "run $name for ${secs}s"
    if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$out/$name" -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=0 -artifact_prefix="$out/artifacts/$name-" \
        "$out/corpus/$target" "$root/tests/fuzz/corpus/$target" >"$out/$name.log" 2>&1; then
        echo "FAIL $name: see $out/$name.log and $out/artifacts/" >&2
        tail -n 30 "$out/$name.log" >&2
        status=1
    else
        tail -n 1 "$out/$name.log"
    fi
done
exit $status
