// Turns wrk's text output (stdin) into one JSON object: node wrk-parse.mjs NAME PATH < wrk.out
import { readFileSync } from 'node:fs';
const [name, path] = process.argv.slice(2);
const t = readFileSync(0, 'utf8');
const us = (s) => { const m = /([\d.]+)(us|ms|s)/.exec(s || ''); return m ? +m[1] * { us: 1, ms: 1e3, s: 1e6 }[m[2]] : null; };
const pct = (p) => us((new RegExp(`\\s${p}%\\s+(\\S+)`).exec(t) || [])[1]);
const num = (re) => { const m = re.exec(t); return m ? +m[1] : 0; };
const bytes = (() => { const m = /requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/.exec(t); return m ? +m[1] * { B: 1, KB: 1024, MB: 1048576, GB: 1073741824 }[m[2]] : 0; })();
const requests = num(/(\d+) requests in/);
const out = { name, path, requests_per_s: num(/Requests\/sec:\s+([\d.]+)/), requests,
  latency_us: { p50: pct(50), p75: pct(75), p90: pct(90), p99: pct(99), max: us((/Latency\s+\S+\s+\S+\s+(\S+)/.exec(t) || [])[1]) },
  bytes_per_response: requests ? Math.round(bytes / requests) : 0,
  non_2xx: num(/Non-2xx or 3xx responses: (\d+)/),
  socket_errors: (/Socket errors: (.*)/.exec(t) || [, ''])[1] };
if (!out.requests_per_s) out.raw = t.slice(0, 500);
process.stdout.write(JSON.stringify(out));
