// Reads the writer's group-commit counters from the server's /metrics (administrators only)
// and prints {"batches","jobs","max_batch","connections","run_s","commit_s","done_s","sync_s","syncs"}
// as JSON.
// Usage: node bench/metrics.mjs PORT ADMIN_TOKEN_FILE
import { readFileSync } from 'node:fs';
const [port, tokenFile] = process.argv.slice(2);
const token = readFileSync(tokenFile, 'utf8').trim();
const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
const text = await r.text();
const num = (name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
const secs = (phase) => Number(new RegExp(`^kairan_writer_seconds_total\\{phase="${phase}"\\} ([0-9.]+)$`, 'm').exec(text)?.[1]);
process.stdout.write(JSON.stringify({ batches: num('kairan_writer_batches_total'), jobs: num('kairan_writer_jobs_total'),
  max_batch: num('kairan_writer_max_batch'), connections: num('kairan_connections'),
  run_s: secs('run'), commit_s: secs('commit'), done_s: secs('done'), sync_s: secs('sync'), syncs: num('kairan_writer_syncs_total') }) + '\n');
