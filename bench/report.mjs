// Collects bench/results/raw/*.json into bench/results/latest.json and writes REPORT.md and the
// gnuplot PNGs. Usage: node bench/report.mjs bench/results
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dayAwaySection } from './day-away-report.mjs';

const RES = resolve(process.argv[2] || 'bench/results');
const RAW = join(RES, 'raw');
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rd = (f) => { try { return JSON.parse(readFileSync(join(RAW, f), 'utf8')); } catch { return null; } };
const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT }).trim(); } catch { return ''; } };

const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const machine = {
  cpu_model: (/model name\s*:\s*(.*)/.exec(cpuinfo) || [, cpus()[0]?.model])[1],
  nproc: Number(sh('nproc', [])) || cpus().length,
  mem_gib: +(totalmem() / 2 ** 30).toFixed(1),
  kernel: sh('uname', ['-r']),
  fd_limit: Number(sh('sh', ['-c', 'ulimit -Hn'])) || null,
};
let git = { commit: sh('git', ['rev-parse', '--short', 'HEAD']), dirty: sh('git', ['status', '--porcelain', '--', 'src']) !== '' };
let runDate = new Date().toISOString();
// `make bench-peers` rewrites the report without rerunning Kairan: keep the date and commit of the Kairan run.
if (process.env.BENCH_REPORT_KEEP_RUN === '1') {
  try { const prev = JSON.parse(readFileSync(join(RES, 'latest.json'), 'utf8')); if (prev.date) { runDate = prev.date; git = prev.git || git; } } catch {}
}
const peers = (() => { try { return JSON.parse(readFileSync(join(RES, 'peers.json'), 'utf8')); } catch { return null; } })();
const L = {
  date: runDate, machine, git,
  provision: { users: rd('provision-users.json'), rooms: rd('provision-rooms.json') },
  s1: rd('s1.json'), s2: rd('s2.json'), s3: { m1000: rd('s3-1000.json'), m5000: rd('s3-5000.json') },
  fsync: rd('fsync.json'), s4: rd('s4.json'), s5: rd('s5.json'), s6: rd('s6.json'), profiles: {},
};
for (const p of ['s3', 's4', 's2', 's1']) {
  const f = join(RES, `profile-${p}.txt`);
  if (existsSync(f)) L.profiles[p] = readFileSync(f, 'utf8');
}

// ---------- derived figures and targets ----------
const f0 = (x) => (x == null || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x == null || Number.isNaN(x) ? '–' : (+x).toFixed(1));
const f2 = (x) => (x == null || Number.isNaN(x) ? '–' : (+x).toFixed(2));
const ms = (us) => (us == null ? '–' : (us / 1000).toFixed(us < 10000 ? 2 : 1));
const GiB = 2 ** 30;
const summary = [];
const target = (name, tgt, measured, ok, ratio, note = '') => summary.push({ name, tgt, measured, ok, ratio, note });

const s1 = L.s1;
if (s1) {
  const per = s1.server_rss_per_conn_bytes;
  const proj = s1.server.rss_before_kib * 1024 + per * 100000;
  s1.projection_100k_bytes = proj;
  target('S1 100k connections, server RSS', '≤ 1.5 GiB', `${f2(proj / GiB)} GiB projected (${f0(per)} B/conn measured at ${f0(s1.connect.ok)})`,
    proj <= 1.5 * GiB, (1.5 * GiB) / proj, '100k sockets do not fit the 20,000-file cap: projection');
}
const s2 = L.s2?.phases?.[0];
if (s2) target('S2 p99 send→deliver', '≤ 5 ms', `${ms(s2.deliver_us.p99)} ms`, s2.deliver_us.p99 <= 5000, 5000 / s2.deliver_us.p99);
// A phase is sustained when its deliveries ended within 1 s of its sending window (no backlog).
const sustained = (p) => p.delivery_span_s === undefined || p.delivery_span_s - p.secs <= 1;
const bestPhase = (r) => (r?.phases || []).filter(sustained).reduce((b, p) => (!b || p.deliveries_per_s > b.deliveries_per_s ? p : b), null);
const within20 = (r) => (r?.phases || []).filter((p) => sustained(p) && p.last_recipient_us.p99 <= 20000).reduce((b, p) => (!b || p.deliveries_per_s > b.deliveries_per_s ? p : b), null);
const s31 = bestPhase(L.s3.m1000);
if (s31) {
  target('S3 deliveries/s at 1,000 members', '≥ 500,000/s', `${f0(s31.deliveries_per_s)}/s (highest sustained phase: ${s31.rate ? s31.rate + ' sends/s offered' : 'closed loop'})`,
    s31.deliveries_per_s >= 500000, s31.deliveries_per_s / 500000);
  const w = within20(L.s3.m1000);
  target('S3 p99 last-recipient at 1,000', '≤ 20 ms (at ≥ 500k/s)', `${ms(s31.last_recipient_us.p99)} ms at ${f0(s31.deliveries_per_s)}/s; ${w ? `≤ 20 ms up to ${f0(w.deliveries_per_s)}/s (p99 ${ms(w.last_recipient_us.p99)} ms)` : 'never ≤ 20 ms'}`,
    s31.last_recipient_us.p99 <= 20000 && s31.deliveries_per_s >= 500000, 20000 / s31.last_recipient_us.p99);
}
const s35 = bestPhase(L.s3.m5000);
if (s35) target('S3 deliveries/s at 5,000 members', '(no target)', `${f0(s35.deliveries_per_s)}/s, p99 last recipient ${ms(s35.last_recipient_us.p99)} ms`, null, null);
const s4 = L.s4?.phases?.[0];
if (s4) target('S4 durable sends/s', '≥ 20,000/s', `${f0(s4.acks_per_s)}/s (avg commit batch ${L.s4.writer ? f1(L.s4.writer.avg_batch) : 'n/a'})`,
  s4.acks_per_s >= 20000, s4.acks_per_s / 20000);
const s5 = L.s5?.reconnect;
if (s5) target('S5 reconnect storm', '10k caught up ≤ 10 s, 0 missed',
  `${f0(s5.caught_up)}/${f0(s5.clients)} in ${f2(s5.secs_from_first_rehello)} s after the server was back (${f2(s5.secs_from_disconnect)} s from disconnect); missed ${s5.missing_messages}`,
  s5.caught_up >= 10000 && s5.secs_from_first_rehello >= 0 && s5.secs_from_first_rehello <= 10 && s5.missing_messages === 0,
  s5.secs_from_first_rehello > 0 ? 10 / s5.secs_from_first_rehello : null, s5.clients < 10000 ? 'fewer than 10k clients' : '');
// ---------- peers (bench/peers/run.sh → peers.json) ----------
// A server's S3 figure: the highest delivered rate of any phase (for a peer that is usually a phase
// with a backlog: generous to the peer), with that phase's p99 last-recipient latency.
const peerRows = [];
const maxPhase = (r) => (r?.phases || []).filter((p) => p.deliveries > 0).reduce((b, p) => (!b || p.deliveries_per_s > b.deliveries_per_s ? p : b), null);
const kS3 = maxPhase(L.s3.m1000);
if (peers) {
  const R = peers.runs || {};
  for (const [key, name, transport] of [['mosquitto', 'Mosquitto', 'MQTT 3.1.1 over WebSocket'], ['mosquitto-tcp', 'Mosquitto', 'MQTT 3.1.1 on plain TCP (no WebSocket)'],
    ['prosody', 'Prosody', 'XMPP over WebSocket, MUC'], ['ejabberd', 'ejabberd', 'XMPP over WebSocket, MUC']]) {
    const s1r = R[`${key}-s1`], s3r = R[`${key}-s3-1000`];
    if (!s1r && !s3r && !R[`${key}-s2-rooms10`]) continue;
    peerRows.push({ key, name, transport, version: peers.versions?.[key.split('-')[0]], s1: s1r, s3: s3r, best: maxPhase(s3r) });
  }
  L.peers = { date: peers.date, quick: peers.quick, load: peers.load, versions: peers.versions,
    rows: peerRows.map((r) => ({ key: r.key, transport: r.transport, rss_per_conn_bytes: r.s1?.server_rss_per_conn_bytes ?? null, s1_connections: r.s1?.connect?.ok ?? null,
      s3_deliveries_per_s: r.best?.deliveries_per_s ?? null, s3_p99_last_recipient_us: r.best?.last_recipient_us?.p99 ?? null })) };
}
// Kairan's S3 rerun in the peers' session (bench/peers/kairan-s3.sh): the fairer reference for ratios.
const kSame = maxPhase(peers?.runs?.['kairan-s3-1000']);
const sust = (r) => { const p = (r?.phases || []).filter((x) => sustained(x) && !x.msgs_incomplete && x.deliveries > 0).reduce((b, x) => (!b || x.deliveries_per_s > b.deliveries_per_s ? x : b), null); return p ? `${f0(p.deliveries_per_s)} (${p.rate ? p.rate + '/s' : 'closed loop'}; p99 ${ms(p.last_recipient_us.p99)} ms)` : 'none'; };
const lowest = (r) => { const p = (r?.phases || []).filter((x) => x.rate > 0 && x.deliveries > 0).sort((a, b) => a.rate - b.rate)[0]; return p ? `${ms(p.last_recipient_us.p99)} ms at ${p.rate}/s (${f0(p.deliveries_per_s)} deliveries/s)` : '–'; };
const kRef = kSame || kS3;
if (L.peers) L.peers.kairan_same_session = kSame ? { deliveries_per_s: kSame.deliveries_per_s, p99_last_recipient_us: kSame.last_recipient_us.p99, rate: kSame.rate } : null;
const bestPeer = peerRows.filter((r) => r.best).reduce((b, r) => (!b || r.best.deliveries_per_s > b.best.deliveries_per_s ? r : b), null);
if (bestPeer && kRef && s1) {
  const ratio = kRef.deliveries_per_s / bestPeer.best.deliveries_per_s;
  const peerMem = bestPeer.s1?.server_rss_per_conn_bytes ?? (peerRows.find((r) => r.key === bestPeer.key.split('-')[0])?.s1?.server_rss_per_conn_bytes);
  const memOk = peerMem != null && s1.server_rss_per_conn_bytes <= peerMem;
  target('S3 ≥ 3× best peer at ≤ memory', '≥ 3×', `${f1(ratio)}× ${bestPeer.name} (${bestPeer.transport}: ${f0(bestPeer.best.deliveries_per_s)}/s vs ${f0(kRef.deliveries_per_s)}/s${kSame ? ' in the same session' : ''}); memory ${f0(s1.server_rss_per_conn_bytes)} vs ${f0(peerMem)} B/conn`,
    ratio >= 3 && memOk, ratio / 3, memOk ? 'peers measured by `make bench-peers`, see "Peers side by side"' : 'memory per connection higher than the peer\'s');
} else target('S3 ≥ 3× best peer at ≤ memory', '≥ 3×', 'not measured (run `make bench-peers`)', null, null);
L.summary = summary;
writeFileSync(join(RES, 'latest.json'), JSON.stringify(L, null, 1) + '\n');

// ---------- plots ----------
const plots = [];
const gp = (name, script, data) => {
  const dat = join(RES, `.${name}.dat`);
  writeFileSync(dat, data);
  try {
    execFileSync('gnuplot', { input: `set terminal pngcairo size 900,520 font 'sans,10'\nset output '${join(RES, name + '.png')}'\nset grid\n${script.replaceAll('DAT', `'${dat}'`)}\n` });
    plots.push(name);
  } catch (e) { console.error(`gnuplot ${name}: ${e.message}`); }
  try { execFileSync('rm', ['-f', dat]); } catch {}
};
const phasesDat = (r) => [...(r?.phases || [])].sort((a, b) => a.deliveries_per_s - b.deliveries_per_s).map((p) => `${p.acks_per_s} ${p.deliveries_per_s} ${p.deliver_us.p50 / 1e3} ${p.deliver_us.p99 / 1e3} ${p.last_recipient_us.p50 / 1e3} ${p.last_recipient_us.p99 / 1e3} ${p.last_recipient_us.max / 1e3}`).join('\n');
if (L.s3.m1000 || L.s3.m5000) {
  gp('s3-latency', `set title 'S3 broadcast: latency vs delivered throughput'\nset xlabel 'deliveries/s'\nset ylabel 'ms'\nset logscale y\nset key top left
plot DAT index 0 u 2:4 w lp t '1,000: p99 deliver', '' index 0 u 2:6 w lp t '1,000: p99 last recipient', '' index 1 u 2:4 w lp t '5,000: p99 deliver', '' index 1 u 2:6 w lp t '5,000: p99 last recipient', 20 w l dt 2 lc rgb 'red' t 'target 20 ms'`,
  `${phasesDat(L.s3.m1000) || '0 0 1 1 1 1 1'}\n\n\n${phasesDat(L.s3.m5000) || '0 0 1 1 1 1 1'}\n`);
  gp('s3-throughput', `set title 'S3 broadcast: deliveries/s vs sends/s acknowledged'\nset xlabel 'sends/s (acknowledged)'\nset ylabel 'deliveries/s'\nset key top left\nset format y '%.0f'
plot DAT index 0 u 1:2 w lp t '1,000 members', '' index 1 u 1:2 w lp t '5,000 members', 500000 w l dt 2 lc rgb 'red' t 'target 500k/s'`,
  `${phasesDat(L.s3.m1000) || '0 0'}\n\n\n${phasesDat(L.s3.m5000) || '0 0'}\n`);
}
if (s2 || s4) {
  const row = (lbl, h) => (h ? `"${lbl}" ${h.p50 / 1e3} ${h.p90 / 1e3} ${h.p99 / 1e3} ${h.p999 / 1e3} ${h.max / 1e3}` : '');
  gp('latency-percentiles', `set title 'Latency percentiles (ms, log scale)'\nset style data histograms\nset style histogram clustered\nset style fill solid 0.8\nset logscale y\nset ylabel 'ms'\nset key top left
plot DAT u 2:xtic(1) t 'p50', '' u 3 t 'p90', '' u 4 t 'p99', '' u 5 t 'p99.9', '' u 6 t 'max'`,
  [row('S2 send→deliver', s2?.deliver_us), row('S2 send→ack', s2?.ack_us), row('S3-1000 last recip.', L.s3.m1000?.phases?.[0]?.last_recipient_us),
    row('S4 send→ack', s4?.ack_us)].filter(Boolean).join('\n') + '\n');
}
if (s1) {
  const b = s1.server.rss_before_kib / 1024, per = s1.server_rss_per_conn_bytes / 2 ** 20;
  gp('s1-memory', `set title 'S1 server RSS vs idle WebSocket connections'\nset xlabel 'connections'\nset ylabel 'MiB'\nset key top left\nset format x '%.0f'
f(x) = ${b} + ${per} * x\nset xrange [0:100000]
plot f(x) w l dt 3 t 'projection (${f0(s1.server_rss_per_conn_bytes)} B/conn)', DAT u 1:2 w p pt 7 ps 1.5 t 'measured', 1536 w l dt 2 lc rgb 'red' t 'target 1.5 GiB at 100k'`,
  `0 ${b}\n${s1.connect.ok} ${s1.server.rss_connected_kib / 1024}\n`);
}

// ---------- REPORT.md ----------
const o = [];
const P = (...l) => o.push(...l);
P('# Kairan benchmark report', '',
  `Generated by \`make bench\` on ${L.date.slice(0, 19).replace('T', ' ')} UTC · commit \`${git.commit}\`${git.dirty ? ' (src/ had uncommitted changes)' : ''}.`, '',
  `**Machine:** ${machine.cpu_model} · ${machine.nproc} cores (nproc) · ${machine.mem_gib} GiB RAM · Linux ${machine.kernel} · open-file cap ${machine.fd_limit} per process.`,
  'Server and load generator share the machine (and its 2 cores): every table gives both CPU figures so one can see which side was the bottleneck.', '',
  '**Set-up:** `build/kairan` (meson `debugoptimized`: -O2 -g), one server per scenario on 127.0.0.1 with a fresh copy of a provisioned data directory (SQLite WAL, fsynced after every group commit before any answer — by a syncer thread while the writer runs the next batch —, tmpfs-less ordinary disk), `KAIRAN_ARGON2_OPS=1 KAIRAN_ARGON2_MEM_KIB=8` (cheap logins for provisioning), `KAIRAN_RATE_SENDS_PER_MINUTE=0` (the per-person send limit would otherwise cap S3/S4 senders at 10/s), log level warn. Generator: `bench/bin/loadgen` (C, epoll, one process per ≤9,000 sockets, each bound to its own 127.0.0.x source address).', '',
  peers ? `**Peers:** Mosquitto, Prosody and ejabberd, measured separately by \`make bench-peers\` (${peers.date.slice(0, 16).replace('T', ' ')} UTC): S1, S3 at 1,000 members and an S2-like run side by side below; S4–S6 are Kairan-only (no peer equivalent was measured).`
    : '**Out of scope for this slice:** the peers (ejabberd, Prosody, Mosquitto) and the side-by-side comparison (`make bench-peers`).', '');
P('## Targets', '', '| scenario | target | measured | ratio (≥1 meets) | |', '|---|---|---|---|---|');
for (const t of summary) P(`| ${t.name} | ${t.tgt} | ${t.measured} | ${t.ratio == null ? '–' : f2(t.ratio)} | ${t.ok == null ? 'n/a' : t.ok ? 'met' : '**missed**'}${t.note ? ' — ' + t.note : ''} |`);
P('');
const pv = L.provision;
if (L.fsync) P(`Disk: \`fdatasync\` of a 4 KiB append in the data directory's file system, idle: p50 ${L.fsync.p50_ms} ms, p99 ${L.fsync.p99_ms} ms, max ${L.fsync.max_ms} ms (\`bench/fsync-probe.py\`) — the floor under every durable send.`, '');
if (pv.users) P(`Provisioning (admin API, 64 requests in flight, Node client): ${f0(pv.users.users)} users created at ${f0(pv.users.users_per_s)}/s and logged in at ${f0(pv.users.logins_per_s)}/s; rooms and S6 history in ${f1(pv.rooms?.rooms_s)} s.`, '');

if (s1) {
  P('## S1 idle connections', '', '| figure | value |', '|---|---|',
    `| connections (authenticated WebSocket, ${s1.procs} generator processes) | ${f0(s1.connect.ok)} (failed attempts ${s1.connect.failed_attempts}) |`,
    `| time to connect all | ${f2(s1.connect.secs)} s (${f0(s1.connect.ok / s1.connect.secs)}/s), server CPU ${f2(s1.connect.server_cpu_s)} s |`,
    `| server RSS before / connected | ${f1(s1.server.rss_before_kib / 1024)} MiB / ${f1(s1.server.rss_connected_kib / 1024)} MiB |`,
    `| server RSS per connection | **${f0(s1.server_rss_per_conn_bytes)} B** |`,
    `| projection to 100,000 connections | **${f2(s1.projection_100k_bytes / GiB)} GiB** (target ≤ 1.5 GiB) |`,
    `| kernel TCP buffers (sockstat, both ends) connected | ${f0(s1.kernel_tcp_kib_connected)} KiB |`,
    `| generator CPU | ${f2(s1.loadgen_cpu_s)} s |`, '',
    'The process cap of 20,000 open files (hard limit) bounds one server to ~19,000 sockets; 50k and 100k are projections from the per-connection figure (RSS is linear in idle sessions: each holds a `struct ws`, an h2o socket and its buffers).', '');
}
const phaseTable = (r, lastRecipient) => {
  P('| offered sends/s | acked sends/s | deliveries/s | deliver p50 / p99 / p99.9 / max (ms) | send→ack p50 / p99 (ms) |' + (lastRecipient ? ' last recipient p50 / p99 / max (ms) |' : '') + ' server CPU (cores) | generator CPU (cores) | send errors |',
    '|---|---|---|---|---|' + (lastRecipient ? '---|' : '') + '---|---|---|');
  for (const p of r.phases) P(`| ${p.rate === 0 ? 'closed loop' : p.rate} | ${f0(p.acks_per_s)} | ${f0(p.deliveries_per_s)} | ${ms(p.deliver_us.p50)} / ${ms(p.deliver_us.p99)} / ${ms(p.deliver_us.p999)} / ${ms(p.deliver_us.max)} | ${ms(p.ack_us.p50)} / ${ms(p.ack_us.p99)} |` +
    (lastRecipient ? ` ${ms(p.last_recipient_us.p50)} / ${ms(p.last_recipient_us.p99)} / ${ms(p.last_recipient_us.max)} |` : '') +
    ` ${f2(p.server_cores ?? p.server_cpu_s / p.secs)} | ${f2(p.loadgen_cores ?? p.loadgen_cpu_s / p.secs)} | ${p.send_errors}${sustained(p) ? '' : ' (backlog: deliveries ran ' + f1(p.delivery_span_s - p.secs) + ' s past the window)'} |`);
  P('');
};
if (L.s2) {
  P('## S2 city day', '', `2,000 staff connected (${f2(L.s2.connect.secs)} s to connect), 400 rooms of 2–50 members (100 direct), ${s2.rate} sends/s overall by random members for ${f0(s2.secs)} s; each delivery is marked read with probability 0.3 (POST …/read → \`read.updated\` to the room), 10 presence changes/s and 20 typing frames/s over WebSocket. Target: p99 send→deliver ≤ 5 ms.`, '');
  phaseTable(L.s2, false);
  P(`Reads sent ${f0(L.s2.reads_sent)}, presence ${f0(L.s2.presence_sent)}, typing ${f0(L.s2.typing_sent)}, other frames received (read/presence/typing events) ${f0(L.s2.other_frames)}; HTTP errors ${L.s2.http_err}; server closed the keep-alive connection after ${f0(L.s2.server_closes)} answers.`, '');
}
for (const [k, n] of [['m1000', '1,000'], ['m5000', '5,000']]) {
  const r = L.s3[k];
  if (!r) continue;
  P(`## S3 broadcast — announcement room of ${n} members`, '', `All ${n} members connected (${f2(r.connect.secs)} s; server CPU during the connect storm ${f2(r.connect.server_cpu_s)} s — see the presence note below), the administrator posts; phases of ${f0(r.phases[0]?.secs)} s at rising offered rates, then closed loop (32 sends in flight). "Last recipient" is, per message, the latency of the member who got it last.`, '');
  phaseTable(r, true);
}
if (peerRows.length) {
  const kMem = s1?.server_rss_per_conn_bytes;
  P('## Peers side by side', '',
    `Same machine, same kind of load: \`bench/bin/peerload\` (C, epoll, the sibling of \`loadgen\` for other protocols) against each peer started by \`bench/peers/<peer>.sh\` on 127.0.0.1 with its own configuration and data in a temporary directory (limits raised, history off: see the scripts' headers and docs/bench/findings.md). Debian 12 packages: ${Object.entries(peers.versions || {}).map(([k, v]) => `${k} ${v}`).join(', ')}. S1: ${f0(peers.s1_clients)} idle connections (MQTT: CONNECT + SUBSCRIBE to a personal topic; XMPP: SASL PLAIN, bind, initial presence), RSS of the peer's process (for ejabberd the whole BEAM VM) before and after, divided by the connections. S3: 1,000 members (MQTT subscribers of one topic; XMPP occupants of one MUC room) and one sender posting at rising offered rates, then closed loop (32 messages without their echo in flight); the message body carries the send time, as for Kairan. Peers ran on ${peers.date.slice(0, 16).replace('T', ' ')} UTC, load average then ${peers.load.split(' ').slice(0, 3).join(' ')}; Kairan's figures are those of this report (${L.date.slice(0, 16).replace('T', ' ')} UTC). The two cores are shared with other work: read ratios, not absolutes.`, '',
    '| server | transport | S1 RSS per connection | memory ratio (peer / Kairan) | S3 deliveries/s (best phase) | Kairan / peer | p99 last recipient at that phase | p99 ratio (peer / Kairan) | p99 last recipient at the lowest offered rate | highest sustained deliveries/s (phase; p99 last recipient) | server CPU (cores) | generator CPU (cores) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|');
  if (s1 && kS3) P(`| **Kairan** (\`make bench\` run above) | JSON over WebSocket, rooms | **${f0(kMem)} B** | 1 | **${f0(kS3.deliveries_per_s)}** | ${kSame ? f1(kS3.deliveries_per_s / kSame.deliveries_per_s) + '× (vs same session)' : '1'} | ${ms(kS3.last_recipient_us.p99)} ms | ${kSame ? f2(kS3.last_recipient_us.p99 / kSame.last_recipient_us.p99) + '×' : '1'} | ${lowest(L.s3.m1000)} | ${sust(L.s3.m1000)} | ${f2(kS3.server_cores)} | ${f2(kS3.loadgen_cores)} |`);
  if (kSame) P(`| **Kairan** (same session as the peers: the reference for the ratios) | JSON over WebSocket, rooms | (S1 not rerun) | 1 | **${f0(kSame.deliveries_per_s)}** | 1 | ${ms(kSame.last_recipient_us.p99)} ms | 1 | ${lowest(peers.runs['kairan-s3-1000'])} | ${sust(peers.runs['kairan-s3-1000'])} | ${f2(kSame.server_cores)} | ${f2(kSame.loadgen_cores)} |`);
  for (const r of peerRows) {
    const m = r.s1?.server_rss_per_conn_bytes, b = r.best;
    P(`| ${r.name} ${r.version || ''} | ${r.transport} | ${m != null ? f0(m) + ' B' : '– (see the WebSocket row)'} | ${m != null && kMem ? f1(m / kMem) + '×' : '–'} | ${b ? f0(b.deliveries_per_s) : '–'} | ${b && kRef ? f1(kRef.deliveries_per_s / b.deliveries_per_s) + '×' : '–'} | ${b ? ms(b.last_recipient_us.p99) + ' ms' : '–'} | ${b && kRef ? f1(b.last_recipient_us.p99 / kRef.last_recipient_us.p99) + '×' : '–'} | ${lowest(r.s3)} | ${sust(r.s3)} | ${b ? f2(b.server_cores) : '–'} | ${b ? f2(b.loadgen_cores) : '–'} |`);
  }
  P('', 'A server\'s S3 figure is its phase with the most deliveries per second, even when it could not keep up with the offered rate (its latency is then that of a growing backlog: the per-phase tables below show it), so the p99 ratio at that phase compares backlogs; the column "at the lowest offered rate" is the fairer latency figure (offered: Kairan 100 sends/s, Mosquitto 50/s, the XMPP servers 5/s, i.e. 100,000, 50,000 and 5,000 deliveries/s asked for). "Sustained": every message reached all members and deliveries ended within 1 s of the end of the sending window (a closed loop paces itself, so it counts when complete). Memory ratios use the S1 figures (19,000 connections each unless stated).', '');
  const s2rows = peerRows.map((r) => [r, peers.runs?.[`${r.key}-s2-rooms10`]]).filter(([, x]) => x?.phases?.[0]);
  if (s2rows.length) {
    P('### S2-like: 2,000 members in 200 rooms of 10', '', `Each room's first member sends; ${s2rows[0][1].phases[0].rate} sends/s overall into random rooms for ${f0(s2rows[0][1].phases[0].secs)} s (9 recipients each). Kairan's own S2 (above: rooms of 2–50, plus reads, presence and typing) is the nearest Kairan figure; it was not run in this exact shape. Not like for like: Kairan delivers a message only after its transaction is on disk (WAL, fsync), while the peers here store nothing (MQTT QoS 0; MUC history off), so at this light load their latency is that of a relay.`, '',
      '| server | transport | deliveries/s | send→deliver p50 / p99 / p99.9 / max (ms) | echo to the sender p50 / p99 (ms) | messages complete / incomplete | server CPU (cores) |', '|---|---|---|---|---|---|---|');
    if (s2) P(`| Kairan (S2 above) | JSON over WebSocket | ${f0(s2.deliveries_per_s)} | ${ms(s2.deliver_us.p50)} / ${ms(s2.deliver_us.p99)} / ${ms(s2.deliver_us.p999)} / ${ms(s2.deliver_us.max)} | ack ${ms(s2.ack_us.p50)} / ${ms(s2.ack_us.p99)} | – | ${f2(s2.server_cores ?? s2.server_cpu_s / s2.secs)} |`);
    for (const [r, x] of s2rows) {
      const p = x.phases[0];
      P(`| ${r.name} | ${r.transport} | ${f0(p.deliveries_per_s)} | ${ms(p.deliver_us.p50)} / ${ms(p.deliver_us.p99)} / ${ms(p.deliver_us.p999)} / ${ms(p.deliver_us.max)} | ${ms(p.ack_us.p50)} / ${ms(p.ack_us.p99)} | ${f0(p.msgs_complete)} / ${f0(p.msgs_incomplete)} | ${f2(p.server_cores)} |`);
    }
    P('');
    L.peers.s2_rooms10 = Object.fromEntries(s2rows.map(([r, x]) => [r.key, { deliver_p99_us: x.phases[0].deliver_us.p99, deliveries_per_s: x.phases[0].deliveries_per_s }]));
  }
  for (const r of peerRows) {
    if (!r.s3) continue;
    P(`### ${r.name} — ${r.transport}, room of 1,000`, '', `Connect and join: ${f0(r.s3.connect.ok)} members in ${f2(r.s3.connect.secs)} s (server CPU ${f2(r.s3.connect.server_cpu_s)} s); ${r.s1 ? `S1: ${f0(r.s1.connect.ok)} connections in ${f2(r.s1.connect.secs)} s (${f0(r.s1.connect.failed_attempts)} failed or stalled login attempts retried; server CPU ${f2(r.s1.connect.server_cpu_s)} s), RSS ${f1(r.s1.server.rss_before_kib / 1024)} → ${f1(r.s1.server.rss_connected_kib / 1024)} MiB.` : ''} "acked" = the sender's own copy came back.`, '');
    P('| offered sends/s | echoed sends/s | deliveries/s | deliver p50 / p99 / max (ms) | last recipient p50 / p99 / max (ms) | messages complete / incomplete | server CPU (cores) | generator CPU (cores) |', '|---|---|---|---|---|---|---|---|');
    for (const p of r.s3.phases) P(`| ${p.rate === 0 ? 'closed loop' : p.rate} | ${f0(p.acks_per_s)} | ${f0(p.deliveries_per_s)} | ${ms(p.deliver_us.p50)} / ${ms(p.deliver_us.p99)} / ${ms(p.deliver_us.max)} | ${ms(p.last_recipient_us.p50)} / ${ms(p.last_recipient_us.p99)} / ${ms(p.last_recipient_us.max)} | ${f0(p.msgs_complete)} / ${f0(p.msgs_incomplete)} | ${f2(p.server_cores)} | ${f2(p.loadgen_cores)} |`);
    P('');
  }
}
if (L.s4) {
  const w = L.s4.writer;
  P('## S4 durable sends', '', `256 senders, each closed-loop (next send after the 201) into its own room, nobody connected by WebSocket, for ${f0(s4.secs)} s. Every 201 means the message's transaction is on disk (WAL, fsync).`, '',
    '| acked sends/s | send→ack p50 / p90 / p99 / max (ms) | avg commit batch | server CPU (cores) | generator CPU (cores) | errors |', '|---|---|---|---|---|---|',
    `| **${f0(s4.acks_per_s)}** | ${ms(s4.ack_us.p50)} / ${ms(s4.ack_us.p90)} / ${ms(s4.ack_us.p99)} / ${ms(s4.ack_us.max)} | ${w ? `${f1(w.avg_batch)} (${f0(w.jobs)} jobs in ${f0(w.batches)} commits, ${f1(w.batches / s4.secs)} commits/s)` : 'not exposed'} | ${f2(s4.server_cores ?? s4.server_cpu_s / s4.secs)} | ${f2(s4.loadgen_cores ?? s4.loadgen_cpu_s / s4.secs)} | ${s4.send_errors} |`, '',
    w ? 'The commit batch comes from the server\'s `/metrics` (`kairan_writer_jobs_total` / `kairan_writer_batches_total`), read before and after the run.' : '', '');
}
if (L.s5) {
  const r = L.s5.reconnect;
  P('## S5 reconnect storm', '', `${f0(r.clients)} clients in 100 rooms of 100, 200 sends/s into random rooms; after ${3} s the server is stopped (SIGTERM) and started again (${f0(L.s5.restart_ms)} ms until /healthz answered). Clients reconnect after a random 0–500 ms pause (retrying every 0–500 ms while refused), then fetch \`GET …/messages?after=<last contiguous seq>&limit=200\` (32 keep-alive HTTP connections per generator process, with each client's own token) until \`has_more\` is false. Senders keep sending through the restart, retrying unacknowledged sends with the same \`client_msg_id\`. At the end every client's received sequence numbers are checked against 1…(highest acknowledged seq) of its room.`, '',
    '| clients | caught up | seconds after the server was back (first re-hello → last caught up) | seconds from first disconnect | acknowledged messages checked (per room, summed) | missed | clients with gaps |', '|---|---|---|---|---|---|---|',
    `| ${f0(r.clients)} | ${f0(r.caught_up)} | **${f2(r.secs_from_first_rehello)}** | ${f2(r.secs_from_disconnect)} | ${f0(r.acked_msgs_checked)} | **${r.missing_messages}** | ${r.clients_missing} |`, '',
    `Send retries across the restart: ${f0(L.s5.retries)}; catch-up HTTP errors: ${L.s5.http_err}.`, '');
}
if (L.s6) {
  P('## S6 reads (wrk)', '', `\`wrk -t2 -c32 --latency\` with a member's Bearer token; history in a room of 1,000 messages; directory over ${f0(L.s6.staff)} imported staff + the benchmark users (\`kairan admin import-csv\` of a generated UTF-8 CSV took ${f1(L.s6.import_ms / 1000)} s, exit ${L.s6.import_rc}).`, '',
    '| request | requests/s | p50 / p90 / p99 (ms) | bytes/answer | non-2xx |', '|---|---|---|---|---|');
  for (const c of L.s6.cases) P(`| ${c.name} | **${f0(c.requests_per_s)}** | ${ms(c.latency_us.p50)} / ${ms(c.latency_us.p90)} / ${ms(c.latency_us.p99)} | ${f0(c.bytes_per_response)} | ${c.non_2xx} |`);
  P('');
}
if (plots.length) { P('## Plots', ''); for (const p of plots) P(`![${p}](${p}.png)`, ''); }
if (Object.keys(L.profiles).length) {
  P('## Profiles (perf, during the closed-loop runs)', '');
  for (const [k, t] of Object.entries(L.profiles)) {
    const self = t.split('## self time by symbol')[1]?.split('##')[0].trim().split('\n').slice(0, 18).join('\n');
    const dso = t.split('## self time by shared object')[1]?.split('##')[0].trim().split('\n').slice(0, 8).join('\n');
    P(`### ${k.toUpperCase()} — top self time by symbol`, '', '```', self || '(empty)', '```', '', 'by shared object:', '', '```', dso || '', '```', '',
      `Full profile (with inclusive times): \`bench/results/profile-${k}.txt\`.`, '');
  }
}
// The phone scenario is run on its own (node bench/day-away.mjs), not by make bench.
if (rd('day-away.json')) P(...dayAwaySection(rd('day-away.json')));
// The search benchmark (make bench-search) writes its own section; keep it in a regenerated report.
if (existsSync(join(RES, 'search.md'))) P(readFileSync(join(RES, 'search.md'), 'utf8'));
const findings = join(ROOT, 'docs/bench/findings.md');
if (existsSync(findings)) P('## Findings and suggested server changes', '', `See [docs/bench/findings.md](../../docs/bench/findings.md) (written from this run's numbers and profiles).`, '');
P('## How to run', '', '```sh', 'make bench                       # build/kairan, bench/build.sh, bench/run.sh (≈ 10 minutes)', 'BENCH_QUICK=1 bench/run.sh        # smaller and shorter, for trying changes', 'BENCH_PROFILE=0 make bench       # without the perf runs', 'make bench-peers                 # Mosquitto, Prosody, ejabberd: S1, S3, S2-like (≈ 10 minutes), then this report', '```', '',
  'Raw per-scenario JSON: `bench/results/raw/` (peers: `bench/results/peers/`, summed up in `bench/results/peers.json`); everything together: `bench/results/latest.json`.', '');
writeFileSync(join(RES, 'REPORT.md'), o.join('\n'));
console.error(`report: ${join(RES, 'REPORT.md')} (${plots.length} plots)`);
