#!/bin/sh
# Builds the load generator into bench/bin/ (plain cc, no meson).
set -eu
cd "$(dirname "$0")"
mkdir -p bin
cc -O2 -g -Wall -Wextra -Wno-unused-parameter -o bin/loadgen loadgen.c
cc -O2 -g -Wall -Wextra -Wno-unused-parameter -o bin/peerload peerload.c
echo "bench/bin/loadgen and bench/bin/peerload built"
