#!/usr/bin/env python3
"""fdatasync latency of 4 KiB appends in DIR (what a WAL commit with synchronous=FULL waits for).
Usage: fsync-probe.py DIR → {"n":…,"p50_ms":…,"p90_ms":…,"p99_ms":…,"max_ms":…}"""
import json, os, sys, time
fn = os.path.join(sys.argv[1] if len(sys.argv) > 1 else '.', 'fsync-probe.tmp')
fd = os.open(fn, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
lat = []
t_end = time.monotonic() + 5
while len(lat) < 500 and time.monotonic() < t_end:
    os.write(fd, b'x' * 4096)
    t = time.perf_counter_ns()
    os.fdatasync(fd)
    lat.append(time.perf_counter_ns() - t)
os.close(fd)
os.unlink(fn)
lat.sort()
q = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] / 1e6, 3)
print(json.dumps({"n": len(lat), "p50_ms": q(.5), "p90_ms": q(.9), "p99_ms": q(.99), "max_ms": round(lat[-1] / 1e6, 3),
                  "per_s_serial": round(len(lat) / (sum(lat) / 1e9))}))
