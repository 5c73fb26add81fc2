// `make bench-cluster` (issue 10): the raw runs of bench/cluster.sh into bench/results/cluster.json
// and the "Cluster (issue 10)" section of bench/results/CLUSTER.md.
// Usage: node bench/cluster-report.mjs RAW_DIR RESULTS_DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const RAW = resolve(process.argv[2]);
const RES = resolve(process.argv[3] || 'bench/results');
const rd = (f) => { try { return JSON.parse(readFileSync(join(RAW, f), 'utf8')); } catch { return null; } };
const machine = rd('machine.json') || {};
const S = machine.settings || {};

const ms = (us) => (us === undefined || us === null ? null : +(us / 1000).toFixed(2));
const per1k = (cpu, n) => (cpu === undefined || !n ? null : +((cpu * 1000) / n).toPrecision(4));
const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || !b ? null : +(a / b).toFixed(2));

// One fixed-load run (S2/S3): throughput, latency (all, same node, across nodes), CPU per 1k deliveries.
function fixed(name, r) {
  if (!r) return null;
  const p = r.loadgen.phases[0];
  const cpu = r.cpu_s || {};
  const o = {
    run: name, nodes: cpu.b !== undefined ? 2 : 1, store: name.startsWith('pg') ? 'postgresql' : 'sqlite',
    clients: r.loadgen.connect.ok, offered_sends_per_s: p.rate, sent: p.sent, acked: p.acked, send_errors: p.send_errors,
    acks_per_s: p.acks_per_s, deliveries: p.deliveries, deliveries_per_s: p.deliveries_per_s,
    recipients_per_msg: p.recipients_per_msg, msgs_incomplete: p.msgs_incomplete,
    deliver_ms: { p50: ms(p.deliver_us.p50), p99: ms(p.deliver_us.p99), p999: ms(p.deliver_us.p999), max: ms(p.deliver_us.max) },
    ack_ms: { p50: ms(p.ack_us.p50), p99: ms(p.ack_us.p99) },
    last_recipient_ms: { p50: ms(p.last_recipient_us.p50), p99: ms(p.last_recipient_us.p99) },
    cpu_s: cpu,
    cpu_s_per_1k_deliveries: { a: per1k(cpu.a, p.deliveries), b: per1k(cpu.b, p.deliveries), pg: per1k(cpu.pg, p.deliveries),
      total: per1k((cpu.a || 0) + (cpu.b || 0) + (cpu.pg || 0), p.deliveries) },
    writer_avg_batch: r.writer?.avg_batch ?? null,
  };
  if (p.by_node) {
    const [a, b] = p.by_node;
    o.same_node = { port: a.port, deliveries: a.deliveries, deliveries_per_s: a.deliveries_per_s,
      p50_ms: ms(a.deliver_us.p50), p99_ms: ms(a.deliver_us.p99), p999_ms: ms(a.deliver_us.p999) };
    o.cross_node = { port: b.port, deliveries: b.deliveries, deliveries_per_s: b.deliveries_per_s,
      p50_ms: ms(b.deliver_us.p50), p99_ms: ms(b.deliver_us.p99), p999_ms: ms(b.deliver_us.p999) };
    // each node's CPU over the deliveries it made itself (its own clients' share)
    o.cpu_s_per_1k_own_deliveries = { a: per1k(cpu.a, a.deliveries), b: per1k(cpu.b, b.deliveries) };
  }
  if (r.pg_stat) {
    o.pg_stat = r.pg_stat;
    o.pg_xact_commit_per_send = p.acked ? +(r.pg_stat.xact_commit / p.acked).toFixed(1) : null;
  }
  return o;
}

// The tables PostgreSQL read most by sequential scan in a run: " (most by sequential scans: t1 N rows in K scans, …)".
function topScans(st) {
  const t = Object.entries(st?.tables || {}).filter(([, v]) => v.seq_tup_read > 0).sort((a, b) => b[1].seq_tup_read - a[1].seq_tup_read).slice(0, 3);
  if (!t.length) return '';
  return ` (sequential scans: ${t.map(([n, v]) => `${n} ${Number(v.seq_tup_read).toLocaleString('en-US')} rows in ${Number(v.seq_scan).toLocaleString('en-US')} scans`).join(', ')})`;
}

// One durable-send ceiling run (S4-like).
function ceiling(name, r) {
  if (!r) return null;
  const p = r.loadgen.phases[0];
  const cpu = r.cpu_s || {};
  const o = {
    run: name, store: name.startsWith('pg') ? 'postgresql' : 'sqlite', senders: S.s4_senders, secs: p.secs,
    acked: p.acked, send_errors: p.send_errors, sends_per_s: p.acks_per_s,
    ack_ms: { p50: ms(p.ack_us.p50), p99: ms(p.ack_us.p99), max: ms(p.ack_us.max) },
    writer: r.writer || null,
    commits_per_s: r.writer ? +(r.writer.batches / p.secs).toFixed(1) : null,
    cpu_s: cpu,
    cpu_s_per_1k_sends: { node: per1k(cpu.a, p.acked), pg: per1k(cpu.pg, p.acked) },
  };
  if (r.pg_stat) {
    o.pg_stat = r.pg_stat;
    o.pg_xact_commit_per_send = p.acked ? +(r.pg_stat.xact_commit / p.acked).toFixed(2) : null;
  }
  return o;
}

const runs = {
  s2: { sqlite_1: fixed('sqlite-s2', rd('sqlite-s2.json')), pg_2: fixed('pg2-s2', rd('pg2-s2.json')) },
  s3: { sqlite_1: fixed('sqlite-s3', rd('sqlite-s3.json')), pg_2: fixed('pg2-s3', rd('pg2-s3.json')) },
  s4: { sqlite_1: ceiling('sqlite-s4', rd('sqlite-s4.json')), pg_1: ceiling('pg1-s4', rd('pg1-s4.json')) },
};
const ratios = {};
for (const s of ['s2', 's3']) {
  const a = runs[s].sqlite_1, b = runs[s].pg_2;
  if (!a || !b) continue;
  ratios[s] = {
    deliveries_per_s: ratio(b.deliveries_per_s, a.deliveries_per_s),
    deliver_p50: ratio(b.deliver_ms.p50, a.deliver_ms.p50), deliver_p99: ratio(b.deliver_ms.p99, a.deliver_ms.p99),
    cross_vs_same_node_p50: ratio(b.cross_node?.p50_ms, b.same_node?.p50_ms),
    cross_vs_same_node_p99: ratio(b.cross_node?.p99_ms, b.same_node?.p99_ms),
    cpu_per_1k_total: ratio(b.cpu_s_per_1k_deliveries.total, a.cpu_s_per_1k_deliveries.total),
    cpu_per_1k_nodes_only: ratio((b.cpu_s_per_1k_deliveries.a || 0) + (b.cpu_s_per_1k_deliveries.b || 0),
      a.cpu_s_per_1k_deliveries.a),
  };
}
if (runs.s4.sqlite_1 && runs.s4.pg_1)
  ratios.s4 = { sends_per_s: ratio(runs.s4.pg_1.sends_per_s, runs.s4.sqlite_1.sends_per_s),
    avg_batch: ratio(runs.s4.pg_1.writer?.avg_batch, runs.s4.sqlite_1.writer?.avg_batch) };

const raw = {};
for (const f of ['sqlite-s2', 'sqlite-s3', 'sqlite-s4', 'pg2-s2', 'pg2-s3', 'pg1-s4']) raw[f] = rd(`${f}.json`);
const out = { date: machine.date || new Date().toISOString(), machine: { ...machine, settings: undefined, date: undefined }, settings: S,
  provision: rd('provision.json'), runs, ratios, raw };
writeFileSync(join(RES, 'cluster.json'), JSON.stringify(out, null, 1) + '\n');

// ---------- CLUSTER.md ----------
const f = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 }));
// CPU per 1k: three significant digits (S3's are ~0.005 s, S2's ~0.5 s)
const g = (v) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toPrecision(3));
const x = (v) => (v === null || v === undefined ? '—' : `${f(v, 2)}×`);
const L = [];
L.push('# Kairan on several nodes — `make bench-cluster`', '');
L.push('## Cluster (issue 10)', '');
L.push(`Run ${out.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${machine.commit || '?'}\`, ${f(machine.wall_s, 0)} s in all. ` +
  `Machine: **${machine.nproc} cores** (\`nproc\`), ${machine.cpu_model} (/proc/cpuinfo), kernel ${machine.kernel}, ` +
  `${machine.postgres}. Load average at the start ${machine.loadavg_start || '?'}, at the end ${machine.loadavg_end || '?'} ` +
  '(the machine is shared with other builds and tests).', '');
L.push('**The load generator, the Kairan node(s) and PostgreSQL all share the same 2 cores.** A second node adds no ' +
  'hardware here, so this machine cannot show scaling by throughput; what it shows is the *cost* of the cluster: CPU ' +
  'seconds per node (and PostgreSQL\'s) per thousand deliveries at the same offered load, and the latency a delivery ' +
  'pays to cross nodes through the database. Treat single figures as ±30 % (see docs/bench/findings.md on this machine).', '');
L.push('How it was measured (bench/cluster.sh):', '');
L.push(`- Data: ${f(out.provision?.users, 0)} users and the rooms of bench/provision.mjs, provisioned once on SQLite; the ` +
  'PostgreSQL runs use the same store copied with `kairan admin copy-store` (a fresh database per run: ' +
  '`CREATE DATABASE … TEMPLATE`), the SQLite runs a fresh copy of the data directory.');
L.push(`- **One node, SQLite** (as \`make bench\`) against **two nodes on one PostgreSQL 15 database** (scripts/pg.sh, ` +
  'fsync on, one shared files directory). All HTTP sends go to node A; every other WebSocket client connects to node B ' +
  '(loadgen `--port2`), so half the deliveries are made by node B from events that crossed through the database ' +
  '(cluster_events + NOTIFY). "Same node" = clients on A, "cross node" = clients on B.');
L.push(`- Fixed offered load, the same in both configurations: S2 city day at ${f(S.s2_rate, 0)} sends/s (2,000 clients in ` +
  `400 rooms, reads, presence 10/s, typing 20/s), S3 broadcast at ${f(S.s3_rate, 0)} sends/s to an announcement room of ` +
  `1,000 (${f(S.s3_rate, 0)}k deliveries/s, well under SQLite's closed-loop ceiling); ${f(S.secs, 0)} s each.`);
L.push('- CPU: utime+stime from /proc/PID/stat of each node, and of PostgreSQL (the postmaster from DIR/data/postmaster.pid, ' +
  'its live children and its reaped children), from the moment every client is connected (connect storm excluded) to the ' +
  'end of the run.');
L.push(`- Commit ceiling: S4-like, ${f(S.s4_senders, 0)} closed-loop HTTP senders, each to its own room, every send ` +
  `answered only after its commit, ${f(S.s4_secs, 0)} s against one node; average group commit from /metrics ` +
  '(kairan_writer_jobs_total / kairan_writer_batches_total); PostgreSQL counters from pg_stat_database.', '');

L.push('### Same load, one SQLite node vs two nodes + PostgreSQL', '');
L.push('| scenario | configuration | sends/s offered → acked | deliveries/s | delivery p50 / p99 / p99.9 ms (all) | same node p50 / p99 ms | cross node p50 / p99 ms | last recipient p99 ms | send→ack p50 / p99 ms | errors |');
L.push('|---|---|---|---|---|---|---|---|---|---|');
const cfgName = (r) => (r.store === 'sqlite' ? 'one node, SQLite' : 'two nodes, PostgreSQL');
for (const s of ['s2', 's3']) for (const r of [runs[s].sqlite_1, runs[s].pg_2]) {
  if (!r) continue;
  L.push(`| ${s.toUpperCase()} | ${cfgName(r)} | ${f(r.offered_sends_per_s, 0)} → ${f(r.acks_per_s, 0)} | ${f(r.deliveries_per_s, 0)} | ` +
    `${f(r.deliver_ms.p50, 2)} / ${f(r.deliver_ms.p99, 2)} / ${f(r.deliver_ms.p999, 2)} | ` +
    `${r.same_node ? `${f(r.same_node.p50_ms, 2)} / ${f(r.same_node.p99_ms, 2)}` : '(all)'} | ` +
    `${r.cross_node ? `${f(r.cross_node.p50_ms, 2)} / ${f(r.cross_node.p99_ms, 2)}` : '—'} | ` +
    `${s === 's3' ? f(r.last_recipient_ms.p99, 2) : '—'} | ${f(r.ack_ms.p50, 2)} / ${f(r.ack_ms.p99, 2)} | ${f(r.send_errors, 0)} |`);
}
L.push('', 'S2\'s last-recipient latency is not given: its rooms differ in size. Deliveries/s are over the sending time plus the drain.', '');

L.push('### CPU seconds per thousand deliveries', '');
L.push('| scenario | configuration | deliveries | node A CPU s (per 1k) | node B CPU s (per 1k) | PostgreSQL CPU s (per 1k) | total per 1k | total vs SQLite | nodes only vs SQLite |');
L.push('|---|---|---|---|---|---|---|---|---|');
for (const s of ['s2', 's3']) for (const r of [runs[s].sqlite_1, runs[s].pg_2]) {
  if (!r) continue;
  const c = r.cpu_s, k = r.cpu_s_per_1k_deliveries, isPg = r.store !== 'sqlite';
  L.push(`| ${s.toUpperCase()} | ${cfgName(r)} | ${f(r.deliveries, 0)} | ${f(c.a, 2)} (${g(k.a)}) | ` +
    `${isPg ? `${f(c.b, 2)} (${g(k.b)})` : '—'} | ${isPg ? `${f(c.pg, 2)} (${g(k.pg)})` : '—'} | ${g(k.total)} | ` +
    `${isPg ? x(ratios[s]?.cpu_per_1k_total) : '1×'} | ${isPg ? x(ratios[s]?.cpu_per_1k_nodes_only) : '1×'} |`);
}
L.push('');
for (const s of ['s2', 's3']) {
  const r = runs[s].pg_2;
  if (!r?.cpu_s_per_1k_own_deliveries) continue;
  L.push(`- ${s.toUpperCase()}, two nodes: over the deliveries each node made itself, node A ${g(r.cpu_s_per_1k_own_deliveries.a)} ` +
    `and node B ${g(r.cpu_s_per_1k_own_deliveries.b)} CPU s per 1k (A also takes every send and writes every event to ` +
    `the database; B only reads the events back and fans out). PostgreSQL: ${f(r.pg_stat?.xact_commit, 0)} commits ` +
    `(${f(r.pg_xact_commit_per_send, 1)} per acknowledged send), ${f(r.pg_stat?.tup_inserted, 0)} rows inserted, ` +
    `${f(r.pg_stat?.tup_returned, 0)} rows returned by scans${topScans(r.pg_stat)}.`);
}
L.push('');

L.push('### Durable-send ceiling: one node, SQLite vs PostgreSQL', '');
L.push('| store | durable sends/s | send→ack p50 / p99 ms | average group commit (max ever) | commits/s | node CPU s per 1k sends | PostgreSQL CPU s per 1k sends | pg_stat_database xact_commit (per send) |');
L.push('|---|---|---|---|---|---|---|---|');
for (const r of [runs.s4.sqlite_1, runs.s4.pg_1]) {
  if (!r) continue;
  L.push(`| ${r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | **${f(r.sends_per_s, 0)}** | ${f(r.ack_ms.p50, 1)} / ${f(r.ack_ms.p99, 1)} | ` +
    `${f(r.writer?.avg_batch, 1)} (${f(r.writer?.max_batch_ever, 0)}) | ${f(r.commits_per_s, 1)} | ${g(r.cpu_s_per_1k_sends.node)} | ` +
    `${r.store === 'sqlite' ? '—' : g(r.cpu_s_per_1k_sends.pg)} | ` +
    `${r.pg_stat ? `${f(r.pg_stat.xact_commit, 0)} (${f(r.pg_xact_commit_per_send, 2)})` : '—'} |`);
}
L.push('');
if (runs.s4.pg_1?.pg_stat) L.push(`PostgreSQL during its ceiling run: ${f(runs.s4.pg_1.pg_stat.tup_inserted, 0)} rows inserted, ` +
  `${f(runs.s4.pg_1.pg_stat.tup_updated, 0)} updated, ${f(runs.s4.pg_1.pg_stat.tup_returned, 0)} returned by scans${topScans(runs.s4.pg_1.pg_stat)}.`, '');
if (ratios.s4) L.push(`PostgreSQL / SQLite: ${x(ratios.s4.sends_per_s)} the durable sends per second, ${x(ratios.s4.avg_batch)} the average group commit. ` +
  'xact_commit counts every transaction in the database, the writer\'s group commits and each autocommit statement of ' +
  'the request threads (session and room look-ups), and the node\'s cluster relay (events, heartbeats).', '');

L.push('### Ratios (two nodes + PostgreSQL ÷ one SQLite node)', '');
L.push('| scenario | deliveries/s | delivery p50 | delivery p99 | cross ÷ same node p50 | cross ÷ same node p99 | CPU per 1k, total | CPU per 1k, nodes only |');
L.push('|---|---|---|---|---|---|---|---|');
for (const s of ['s2', 's3']) {
  const r = ratios[s];
  if (r) L.push(`| ${s.toUpperCase()} | ${x(r.deliveries_per_s)} | ${x(r.deliver_p50)} | ${x(r.deliver_p99)} | ${x(r.cross_vs_same_node_p50)} | ` +
    `${x(r.cross_vs_same_node_p99)} | ${x(r.cpu_per_1k_total)} | ${x(r.cpu_per_1k_nodes_only)} |`);
}
L.push('');
L.push('### How to run', '');
L.push('`make bench-cluster` (builds the server and bench/bin/loadgen, then bench/cluster.sh; ≈ 2.5 minutes). Needs ' +
  'postgresql-15 (`scripts/install-deps.sh test`). Settings: CLUSTER_S2_RATE, CLUSTER_S3_RATE, CLUSTER_SECS, ' +
  'CLUSTER_S4_SECS, CLUSTER_USERS, BENCH_PORT (node B on the next port). Figures: bench/results/cluster.json ' +
  '(summaries under `runs`, ratios, and every raw loadgen output under `raw`).', '');
writeFileSync(join(RES, 'CLUSTER.md'), L.join('\n'));
console.log(`cluster-report: ${join(RES, 'cluster.json')}, ${join(RES, 'CLUSTER.md')}`);
