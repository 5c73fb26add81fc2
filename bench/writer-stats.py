#!/usr/bin/env python3
"""Reads the writer's group-commit counters (src/store/writer.c: static struct writer_stats
stats = {batches, jobs, max_batch}) out of a running kairan by its symbol — the server has no
/metrics endpoint yet. Usage: writer-stats.py PID  →  {"batches":…,"jobs":…,"max_batch":…}"""
import json, subprocess, sys, struct

pid = int(sys.argv[-1])
binary = f'/proc/{pid}/exe'  # the running image, even if the file was rebuilt since
out = subprocess.run(['readelf', '-sW', binary], capture_output=True, text=True).stdout
cur, off = None, None
for line in out.splitlines():
    f = line.split()
    if len(f) >= 8 and f[3] == 'FILE':
        cur = f[7]
    elif len(f) >= 8 and f[7] == 'stats' and f[3] == 'OBJECT' and cur and cur.endswith('writer.c'):
        off = int(f[1], 16)
if off is None:
    print(json.dumps({"error": "symbol not found"})); sys.exit(0)
base = None
with open(f'/proc/{pid}/maps') as m:
    exe = subprocess.run(['readlink', f'/proc/{pid}/exe'], capture_output=True, text=True).stdout.strip()
    exe = exe.removesuffix(' (deleted)')
    for l in m:
        p = l.split(None, 5)
        if len(p) >= 6 and p[5].strip().removesuffix(' (deleted)') == exe and int(p[2], 16) == 0:
            base = int(p[0].split('-')[0], 16); break
etype = subprocess.run(['readelf', '-hW', binary], capture_output=True, text=True).stdout
addr = off + (base if 'DYN' in etype else 0)
with open(f'/proc/{pid}/mem', 'rb') as mem:
    mem.seek(addr)
    b, j, mx = struct.unpack('<QQQ', mem.read(24))
print(json.dumps({"batches": b, "jobs": j, "max_batch": mx}))
