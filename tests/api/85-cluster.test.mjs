// Several nodes on one PostgreSQL database (issue: scale-out): two `kairan serve` processes
// share a database and a files directory. Members connected to different nodes chat live, read
// counts and presence cross nodes, a lock on one node closes a socket on the other within a
// second, and after kill -9 of a node every acknowledged send is in the database and clients
// resync on the surviving node with no gap and no duplicate. Runs under KAIRAN_TEST_PG only
// (`make test-api-pg`); nginx in front is tested in 86-nginx.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PG, ROOT, SLOW, Server, assertStatus, dbExec, uid, waitFor, withTimeout } from './lib/harness.mjs';

const T = (name, fn) => it(name, { timeout: 120000 * SLOW }, fn);

describe('two nodes on one database', { skip: !PG && 'needs PostgreSQL (make test-api-pg)' }, () => {
  let A, B, a, b, c, room;
  before(async () => {
    A = await new Server().start();
    B = await new Server({ dataDir: A.dataDir, adminPassword: A.adminPassword }).start();
    await A.adminLogin();
    await B.adminLogin();
    a = await A.makeUser(null, uid('ca'));
    b = await A.makeUser(null, uid('cb'));
    c = await A.makeUser(null, uid('cc'));
    room = await A.makeRoom(a.token, '二台構成', [b.id, c.id]);
  });
  after(async () => {
    await B?.stop({ keepData: true }).catch(() => {});
    await A?.stop();
  });

  T('request ids do not repeat across nodes', async () => {
    const ra = (await A.api('GET', '/api/v1/me', { token: a.token })).headers['x-request-id'];
    const rb = (await B.api('GET', '/api/v1/me', { token: a.token })).headers['x-request-id'];
    assert.match(ra, /^\d+$/);
    assert.match(rb, /^\d+$/);
    assert.notEqual(BigInt(ra) >> 40n, BigInt(rb) >> 40n, `each node counts in its own block: ${ra} ${rb}`);
  });

  T('members on different nodes chat live, both ways, once each', async () => {
    const wa = await A.wsConnect(a.token);
    const wb = await B.wsConnect(b.token);
    const m1 = await A.send(a.token, room.id, 'A から B へ');
    const e1 = await wb.next((f) => f.type === 'message.created' && f.message?.id === m1.id, 3000 * SLOW);
    assert.equal(e1.message.text, 'A から B へ');
    const m2 = await B.send(b.token, room.id, 'B から A へ');
    await wa.next((f) => f.type === 'message.created' && f.message?.id === m2.id, 3000 * SLOW);
    // Exactly once: a later message is there, and the first arrived a single time.
    const m3 = await A.send(a.token, room.id, '三通目');
    await wb.next((f) => f.type === 'message.created' && f.message?.id === m3.id, 3000 * SLOW);
    assert.equal(wb.all((f) => f.type === 'message.created' && f.message?.id === m1.id).length, 1, 'no duplicate on B');
    assert.equal(wa.all((f) => f.type === 'message.created' && f.message?.id === m2.id).length, 1, 'no duplicate on A');
    await Promise.all([wa.close(), wb.close()]);
  });

  T('sends to one room through both nodes at once: seqs gapless and unique; typing crosses too', async () => {
    const r = await A.makeRoom(a.token, '同時送信', [b.id]);
    const per = 40;
    const worker = (srv, tok, w) => (async () => {
      const out = [];
      for (let i = 0; i < per; i++) out.push(await srv.send(tok, r.id, `並行 ${w}-${i}`));
      return out;
    })();
    const all = (await Promise.all([worker(A, a.token, 'a1'), worker(A, a.token, 'a2'), worker(B, b.token, 'b1'), worker(B, b.token, 'b2')])).flat();
    const seqs = all.map((m) => m.seq).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 4 * per }, (_, i) => i + 1), 'every seq once, none missing');
    const hist = await B.history(b.token, r.id);
    assert.deepEqual(hist.map((m) => m.id), [...all].sort((x, y) => x.seq - y.seq).map((m) => m.id), 'history agrees on both nodes');
    const wa = await A.wsConnect(a.token);
    const wb = await B.wsConnect(b.token);
    wb.send({ type: 'typing', room_id: r.id });
    const t = await wa.next((f) => f.type === 'typing' && f.user_id === b.id, 3000 * SLOW);
    assert.equal(String(t.room_id), String(r.id));
    await Promise.all([wa.close(), wb.close()]);
  });

  T('read counts and presence cross nodes', async () => {
    const wa = await A.wsConnect(a.token);
    const m = await A.send(a.token, room.id, '既読を付けてください');
    assertStatus(await B.api('POST', `/api/v1/rooms/${room.id}/read`, { token: b.token, body: { seq: m.seq } }), 200, 'b reads on B');
    const ev = await wa.next((f) => f.type === 'read.updated' && f.user_id === b.id && f.seq === m.seq, 3000 * SLOW);
    assert.equal(String(ev.room_id), String(room.id));
    const h = await A.history(a.token, room.id, m.seq - 1);
    assert.equal(h[0].read_count, 1, 'A counts the read made on B');

    // c connects to B: a (on A) sees c online, and A's directory says so too.
    const offline = assertStatus(await A.api('GET', `/api/v1/users/${c.id}`, { token: a.token }), 200).json;
    assert.equal(offline.presence, 'offline');
    const wc = await B.wsConnect(c.token);
    await wa.next((f) => f.type === 'presence.updated' && f.user_id === c.id && f.status === 'online', 3000 * SLOW);
    await waitFor(async () => (await A.api('GET', `/api/v1/users/${c.id}`, { token: a.token })).json?.presence === 'online',
      3000 * SLOW, 'A to show c online');
    // c also connects to A, then leaves B: still online (A's own socket); then leaves A: offline.
    const wc2 = await A.wsConnect(c.token);
    await wc.close();
    await waitFor(async () => (await B.api('GET', `/api/v1/users/${c.id}`, { token: b.token })).json?.presence === 'online',
      3000 * SLOW, 'B to show c online through A');
    await wc2.close();
    await waitFor(async () => (await B.api('GET', `/api/v1/users/${c.id}`, { token: b.token })).json?.presence === 'offline',
      3000 * SLOW, 'B to show c offline once every socket closed');
    await wa.close();
  });

  T('every database connection cut: the nodes reconnect, and events missed meanwhile still arrive, in order', async () => {
    const wa = await A.wsConnect(a.token);
    const wb = await B.wsConnect(b.token);
    const m0 = await A.send(a.token, room.id, '切断の前');
    await wb.next((f) => f.type === 'message.created' && f.message?.id === m0.id, 3000 * SLOW);
    // PostgreSQL ends every session of this database (as a restart or a network cut would).
    const cut = dbExec(A.dataDir, 'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    assert.ok(Number(cut) >= 8, `both nodes' connections were cut (${cut})`);
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await A.send(a.token, room.id, `切断の後 ${i}`));
    for (const m of sent) await wb.next((f) => f.type === 'message.created' && f.message?.id === m.id, 5000 * SLOW);
    const got = wb.all((f) => f.type === 'message.created' && sent.some((m) => m.id === f.message?.id)).map((f) => f.message.seq);
    assert.deepEqual(got, sent.map((m) => m.seq), 'each once, in order');
    assertStatus(await B.api('GET', '/healthz'), 200, 'B is healthy again');
    const back = await B.send(b.token, room.id, 'B も復旧');
    await wa.next((f) => f.type === 'message.created' && f.message?.id === back.id, 5000 * SLOW);
    await Promise.all([wa.close(), wb.close()]);
  });

  T('a lock on node A closes the socket on node B within one second', async () => {
    const d = await A.makeUser(null, uid('cd'));
    const wd = await B.wsConnect(d.token);
    const t0 = Date.now();
    assertStatus(await A.api('POST', `/api/v1/admin/users/${d.id}/lock`, { token: A.adminToken }), 200, 'lock on A');
    const ci = await withTimeout(wd.closed, 3000 * SLOW, 'the socket on B to close');
    const elapsed = Date.now() - t0;
    assert.ok(ci, 'closed');
    if (!SLOW || SLOW === 1) assert.ok(elapsed < 1000, `closed within a second (${elapsed} ms)`);
    const again = await B.api('GET', '/api/v1/me', { token: d.token });
    assert.equal(again.status, 401, 'the session is gone on B too');
  });

  T('work that must run once has one holder (a lease); when the holder dies the other node takes it over', async () => {
    const nodeOf = (srv) => /event=cluster\.start node=(\S+)/.exec(srv.stderr)?.[1];
    const ids = [nodeOf(A), nodeOf(B)];
    assert.ok(ids[0] && ids[1] && ids[0] !== ids[1], `two named nodes: ${ids}`);
    const holder = () => dbExec(A.dataDir, "SELECT holder FROM leases WHERE name = 'held-release' AND until_ms > (extract(epoch from now()) * 1000)::bigint");
    const first = await waitFor(() => holder(), 5000 * SLOW, 'a holder of the held-release lease');
    assert.ok(ids.includes(first), `held by one of the nodes: ${first}`);
    // It stays with that node while it lives (renewed every second).
    await waitFor(() => dbExec(A.dataDir, "SELECT count(*) FROM cluster_nodes") === '2', 5000 * SLOW, 'both heartbeats');
    assert.equal(holder(), first, 'still the same holder');
    const [dying, other] = first === ids[0] ? [A, B] : [B, A];
    await dying.kill9();
    const next = await waitFor(() => { const h = holder(); return h && h !== first ? h : null; }, 15000 * SLOW, 'the surviving node to take the lease');
    assert.equal(next, nodeOf(other));
    await dying.start(); // back for what follows
    if (dying === A) await A.adminLogin();
  });

  T('kill -9 of a node during a stream of sends: nothing acknowledged is lost; clients resync on the survivor', async () => {
    const r2 = await A.makeRoom(a.token, '耐障害 二台', [b.id]);
    const wa = await A.wsConnect(a.token); // a watches on the surviving node
    const acked = new Map();
    let stop = false, n = 0;
    const unanswered = new Set();
    const worker = async (w) => {
      while (!stop) {
        const cid = `cl-${w}-${n++}`;
        try {
          const r = await B.api('POST', `/api/v1/rooms/${r2.id}/messages`, { token: b.token, body: { text: `送信 ${cid}`, client_msg_id: cid }, timeout: 3000 * SLOW });
          if (r.status === 201) acked.set(cid, r.json);
          else unanswered.add(cid);
        } catch { unanswered.add(cid); }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await waitFor(() => acked.size >= 60, 20000 * SLOW, '60 acknowledged sends on B');
    await B.kill9();
    stop = true;
    await Promise.all(workers);
    assert.ok(acked.size >= 60);
    // Every acknowledged send is in the database, read through the surviving node.
    const hist = await A.history(a.token, r2.id);
    const byCid = new Map(hist.map((m) => [m.client_msg_id, m]));
    for (const [cid, m] of acked) {
      const got = byCid.get(cid);
      assert.ok(got, `acknowledged ${cid} is stored`);
      assert.equal(got.id, m.id);
      assert.equal(got.seq, m.seq);
    }
    const seqs = hist.map((m) => m.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'the room sequence is gapless');
    // The watcher on A saw events only once each, and resyncing from its last seq fills the rest.
    const seen = wa.all((f) => f.type === 'message.created' && String(f.room_id ?? f.message?.room_id) === String(r2.id)).map((f) => f.message.seq);
    assert.equal(new Set(seen).size, seen.length, 'no duplicate event');
    const last = seen.length ? Math.max(...seen) : 0;
    const rest = await A.history(a.token, r2.id, last);
    const all = [...new Set([...seen, ...rest.map((m) => m.seq)])].sort((x, y) => x - y);
    assert.deepEqual(all, seqs, 'live events plus resync give every message exactly once');
    // A client of the dead node reconnects to A with its token and catches up by seq.
    const wb = await A.wsConnect(b.token);
    const caught = await A.history(b.token, r2.id, 0);
    assert.equal(caught.length, hist.length);
    await Promise.all([wa.close(), wb.close()]);
    // The unanswered sends, retried on A with their client_msg_id, are stored once each.
    for (const cid of unanswered) {
      const r = await A.api('POST', `/api/v1/rooms/${r2.id}/messages`, { token: b.token, body: { text: `送信 ${cid}`, client_msg_id: cid } });
      assertStatus(r, [200, 201], `retry of ${cid}`);
    }
    const after2 = await A.history(a.token, r2.id);
    const cids = after2.map((m) => m.client_msg_id);
    assert.equal(new Set(cids).size, cids.length, 'no client_msg_id twice');
    await B.start(); // B comes back for the after() hook
  });
});

describe('PostgreSQL restarts under a node', { skip: !PG && 'needs PostgreSQL (make test-api-pg)' }, () => {
  it('healthz says 503 while the database is down; the node reconnects by itself and loses nothing acknowledged', { timeout: 120000 * SLOW }, async () => {
    // A PostgreSQL of this test's own (scripts/pg.sh), so that stopping it disturbs nobody else.
    const dir = mkdtempSync(join(tmpdir(), 'kairan-pgown-'));
    chmodSync(dir, 0o755);
    const pg = join(dir, 'pg');
    const pgsh = (...args) => execFileSync(join(ROOT, 'scripts/pg.sh'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 * SLOW }).trim();
    const sock = pgsh('start', pg);
    let s;
    try {
      pgsh('createdb', pg, 'own');
      s = new Server({ env: { KAIRAN_STORE: `postgresql:///own?host=${sock}&user=kairan` } });
      await s.start();
      await s.adminLogin();
      const u = await s.makeUser(null, uid('pr'));
      const room = await s.makeRoom(u.token, '再起動', []);
      const before = await s.send(u.token, room.id, '停止の前');
      pgsh('stop', pg);
      await waitFor(async () => (await s.api('GET', '/healthz')).status === 503, 5000 * SLOW, 'healthz to say 503');
      const down = await s.api('GET', '/healthz');
      assert.equal(down.json.error.code, 'store_unavailable');
      pgsh('start', pg);
      await waitFor(async () => (await s.api('GET', '/healthz')).status === 200, 10000 * SLOW, 'healthz to say 200 again');
      // Reads and durable writes work again without a restart of the node.
      const tok = await waitFor(async () => { try { return await s.login(u.login, u.password); } catch { return null; } }, 10000 * SLOW, 'a login');
      const after = await waitFor(async () => { try { return await s.send(tok, room.id, '再開の後'); } catch { return null; } }, 10000 * SLOW, 'a send');
      const h = await s.history(tok, room.id);
      assert.deepEqual(h.map((m) => m.id), [before.id, after.id]);
      assert.equal(after.seq, before.seq + 1);
    } finally {
      await s?.stop().catch(() => {});
      try { pgsh('stop', pg); } catch {}
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
