// Realtime over /api/v1/ws: delivery to members only, read receipts live and in history,
// readers, typing, presence, catch-up after missing 100 messages (no gap, no duplicate),
// deletion events and the Origin check.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SLOW, assertError, assertStatus, uid, useServer, withTimeout } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
let a, b, c, room, side;
const sockets = [];
const connect = async (token, opts) => { const s = await ctx.srv.wsConnect(token, opts); sockets.push(s); return s; };
before(async () => {
  await ctx.ready;
  a = await ctx.srv.makeUser(null, uid('wa'), { name: '湖南 葵' });
  b = await ctx.srv.makeUser(null, uid('wb'), { name: '湖南 文香' });
  c = await ctx.srv.makeUser(null, uid('wc'), { name: '湖南 千尋' });
  room = await ctx.srv.makeRoom(a.token, '災害対策本部', [b.id]); // c is not a member
  side = await ctx.srv.makeRoom(a.token, '連絡用', [c.id]); // a sentinel room that c is in
});
ctx.beforeStop.push(async () => { for (const s of sockets) await s.close(); });
const inRoom = (id) => (f) => String(f.room_id) === String(id);

describe('delivery', () => {
  T('hello carries the user id; ping answers pong', async () => {
    const s = await connect(a.token);
    assert.equal(s.all((f) => f.type === 'hello')[0].user_id, a.id);
    s.send({ type: 'ping' });
    await s.next((f) => f.type === 'pong', 3000);
    await s.close();
  });

  T('message.created reaches members (sender included) and never a non-member', async () => {
    const sa = await connect(a.token), sb = await connect(b.token), sc = await connect(c.token);
    const m = await ctx.srv.send(a.token, room.id, '避難所の開設状況を共有してください');
    const eb = await sb.next((f) => f.type === 'message.created' && inRoom(room.id)(f), 3000);
    assert.equal(eb.message.id, m.id);
    assert.equal(eb.message.seq, m.seq);
    assert.equal(eb.message.text, '避難所の開設状況を共有してください');
    assert.equal(eb.message.sender.id, a.id);
    assert.equal(JSON.stringify(eb), JSON.stringify({ type: 'message.created', room_id: room.id, message: m }),
      'the event carries the 201 answer, member for member and in the same order');
    await sa.next((f) => f.type === 'message.created' && f.message?.id === m.id, 3000);
    // Sentinel: an event c must get, published after the room message.
    const s2 = await ctx.srv.send(a.token, side.id, 'sentinel');
    await sc.next((f) => f.type === 'message.created' && f.message?.id === s2.id, 3000);
    assert.deepEqual(sc.all(inRoom(room.id)), [], 'the non-member received none of the room\'s events');
    assert.ok(!sc.frames.some((f) => JSON.stringify(f).includes('避難所')), 'no trace of the text');
    // Exactly one frame per message per socket.
    assert.equal(sb.all((f) => f.type === 'message.created' && f.message?.id === m.id).length, 1);
    await Promise.all([sa.close(), sb.close(), sc.close()]);
  });

  T('a user with two sockets gets the event on both', async () => {
    const b1 = await connect(b.token), b2 = await connect(b.token);
    const m = await ctx.srv.send(a.token, room.id, '二台目にも');
    await b1.next((f) => f.type === 'message.created' && f.message?.id === m.id, 3000);
    await b2.next((f) => f.type === 'message.created' && f.message?.id === m.id, 3000);
    await Promise.all([b1.close(), b2.close()]);
  });

  T('membership: the newcomer gets room.created and then the room\'s messages; removal stops them', async () => {
    const sb = await connect(b.token), sc = await connect(c.token);
    const r = await ctx.srv.makeRoom(a.token, '増員', [b.id]);
    const created = await sb.next((f) => f.type === 'room.created' && inRoom(r.id)(f), 3000);
    assert.equal(created.room.name, '増員');
    assert.ok(!('unread' in created.room) && !('last_read_seq' in created.room), 'no per-user fields in the shared event');
    assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/members`, { token: a.token, body: { user_ids: [c.id] } }), 200, 'add c');
    const rc = await sc.next((f) => f.type === 'room.created' && inRoom(r.id)(f), 3000);
    assert.equal(rc.room.name, '増員');
    await sb.next((f) => f.type === 'room.member_added' && inRoom(r.id)(f) && f.user_id === c.id, 3000);
    const m = await ctx.srv.send(a.token, r.id, 'ようこそ');
    await sc.next((f) => f.type === 'message.created' && f.message?.id === m.id, 3000);
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${r.id}/members/${c.id}`, { token: a.token }), 204, 'remove c');
    await sb.next((f) => f.type === 'room.member_removed' && f.user_id === c.id, 3000);
    const m2 = await ctx.srv.send(a.token, r.id, 'もういない人には届かない');
    const s2 = await ctx.srv.send(a.token, side.id, 'sentinel 2');
    await sc.next((f) => f.type === 'message.created' && f.message?.id === s2.id, 3000);
    assert.ok(!sc.frames.some((f) => f.message?.id === m2.id), 'a removed member receives nothing more');
    assertStatus(await ctx.srv.api('PATCH', `/api/v1/rooms/${r.id}`, { token: a.token, body: { topic: '新しい議題' } }), 200, 'update room');
    const up = await sb.next((f) => f.type === 'room.updated' && inRoom(r.id)(f), 3000);
    assert.equal(up.room.topic, '新しい議題');
    await Promise.all([sb.close(), sc.close()]);
  });
});

describe('read receipts', () => {
  T('read.updated live; read_count in history; readers split read/unread; never backwards', async () => {
    const r = await ctx.srv.makeRoom(a.token, '既読確認', [b.id, c.id]);
    const sa = await connect(a.token);
    const m1 = await ctx.srv.send(a.token, r.id, '第一報');
    const m2 = await ctx.srv.send(a.token, r.id, '第二報');
    let h = await ctx.srv.history(a.token, r.id);
    assert.deepEqual(h.map((m) => m.read_count), [0, 0]);
    const rr = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/read`, { token: b.token, body: { seq: m2.seq } }), 200, 'b reads');
    assert.equal(rr.json.seq, m2.seq);
    assert.equal(String(rr.json.room_id), String(r.id));
    const ev = await sa.next((f) => f.type === 'read.updated' && inRoom(r.id)(f) && f.user_id === b.id, 3000);
    assert.equal(ev.seq, m2.seq);
    h = await ctx.srv.history(a.token, r.id);
    assert.deepEqual(h.map((m) => m.read_count), [1, 1]);
    assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/read`, { token: c.token, body: { seq: m1.seq } }), 200, 'c reads the first');
    await sa.next((f) => f.type === 'read.updated' && f.user_id === c.id && f.seq === m1.seq, 3000);
    h = await ctx.srv.history(a.token, r.id);
    assert.deepEqual(h.map((m) => m.read_count), [2, 1]);
    const rd = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${r.id}/messages/${m2.id}/readers`, { token: c.token }), 200, 'readers');
    assert.deepEqual(rd.json.read.map((u) => u.id), [b.id]);
    assert.deepEqual(rd.json.unread.map((u) => u.id), [c.id]);
    assert.equal(rd.json.read[0].name, '湖南 文香');
    assert.ok(!rd.json.read.concat(rd.json.unread).some((u) => u.id === a.id), 'the sender is in neither list');
    // Never backwards; clamped to the last seq.
    const back = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/read`, { token: b.token, body: { seq: m1.seq } }), 200, 'backwards');
    assert.equal(back.json.seq, m2.seq, 'the read mark does not move back');
    const far = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/read`, { token: c.token, body: { seq: 999999 } }), 200, 'far ahead');
    assert.equal(far.json.seq, m2.seq, 'clamped to the last seq');
    h = await ctx.srv.history(a.token, r.id);
    assert.deepEqual(h.map((m) => m.read_count), [2, 2]);
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/read`, { token: b.token, body: { seq: 'x' } }), 400, 'invalid_parameter', 'seq not a number');
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/read`, { token: b.token, body: {} }), 400, 'invalid_parameter', 'no seq');
    // The read.updated of c's clamp carries the clamped seq.
    const evc = await sa.next((f) => f.type === 'read.updated' && f.user_id === c.id && f.seq !== m1.seq, 3000);
    assert.equal(evc.seq, m2.seq);
    await sa.close();
  });

  T('sending marks the sender read', async () => {
    const r = await ctx.srv.makeRoom(a.token, '送信即既読', [b.id]);
    await ctx.srv.send(b.token, r.id, 'b から');
    const m = await ctx.srv.send(a.token, r.id, 'a から');
    const h = await ctx.srv.history(b.token, r.id);
    assert.equal(h[0].read_count, 1, "a's send marked b's message read by a");
    assert.equal(h[1].read_count, 0);
    const ms = (await ctx.srv.api('GET', `/api/v1/rooms/${r.id}/members`, { token: a.token })).json.members;
    assert.equal(ms.find((x) => x.id === a.id).last_read_seq, m.seq);
  });
});

describe('typing and presence', () => {
  T('typing goes to the other members; a non-member\'s typing is ignored', async () => {
    const sa = await connect(a.token), sb = await connect(b.token), sc = await connect(c.token);
    sa.send({ type: 'typing', room_id: room.id });
    const t = await sb.next((f) => f.type === 'typing', 3000);
    assert.equal(String(t.room_id), String(room.id));
    assert.equal(t.user_id, a.id);
    sc.send({ type: 'typing', room_id: room.id });
    sc.send({ type: 'typing', room_id: 987654321 });
    // c's frames are handled in order: once c has its pong, its typing frames were processed.
    sc.send({ type: 'ping' });
    await sc.next((f) => f.type === 'pong', 3000);
    sa.send({ type: 'typing', room_id: room.id });
    await sb.next((f) => f.type === 'typing' && f.user_id === a.id, 3000);
    assert.ok(!sb.frames.some((f) => f.type === 'typing' && f.user_id === c.id), "a non-member's typing is not relayed");
    assert.equal(sc.closeInfo, null, 'ignored, not disconnected');
    await Promise.all([sa.close(), sb.close(), sc.close()]);
  });

  T('presence: online when a socket opens, away on request, offline when the last one closes', async () => {
    const p = await ctx.srv.makeUser(null, uid('pp'));
    await ctx.srv.makeRoom(p.token, '在席確認', [a.id]);
    const sa = await connect(a.token);
    const pres = async () => (await ctx.srv.api('GET', `/api/v1/presence?user_ids=${p.id},${a.id}`, { token: a.token })).json.presence;
    assert.equal((await pres())[String(p.id)], 'offline');
    assert.equal((await pres())[String(a.id)], 'online');
    const p1 = await connect(p.token);
    await sa.next((f) => f.type === 'presence.updated' && f.user_id === p.id && f.status === 'online', 3000);
    assert.equal((await pres())[String(p.id)], 'online');
    const p2 = await connect(p.token);
    // One device away, the other online: still online (the pong shows the frame was handled).
    p1.send({ type: 'presence', status: 'away' });
    p1.send({ type: 'ping' });
    await p1.next((f) => f.type === 'pong', 3000);
    assert.equal((await pres())[String(p.id)], 'online', 'online while any device is online');
    // Then the second goes away too.
    p2.send({ type: 'presence', status: 'away' });
    await sa.next((f) => f.type === 'presence.updated' && f.user_id === p.id && f.status === 'away', 3000);
    assert.equal((await pres())[String(p.id)], 'away');
    p2.send({ type: 'presence', status: 'online' });
    await sa.next((f) => f.type === 'presence.updated' && f.user_id === p.id && f.status === 'online', 3000);
    await p2.close();
    await sa.next((f) => f.type === 'presence.updated' && f.user_id === p.id && f.status === 'away', 3000);
    assert.equal((await pres())[String(p.id)], 'away', 'the remaining device is away');
    await p1.close();
    await sa.next((f) => f.type === 'presence.updated' && f.user_id === p.id && f.status === 'offline', 3000);
    assert.equal((await pres())[String(p.id)], 'offline');
    // Manual 不在 is published too.
    const until = new Date(Date.now() + 3600000).toISOString();
    assertStatus(await ctx.srv.api('PATCH', '/api/v1/me', { token: p.token, body: { absent: { until, note: '研修' } } }), 200, 'absent');
    await sa.next((f) => f.type === 'presence.updated' && f.user_id === p.id && f.status === 'absent', 3000);
    await sa.close();
  });
});

describe('catch-up after a disconnect', () => {
  T('missing 100 messages: reconnect + after= gives each exactly once, no gap, no duplicate', async () => {
    const r = await ctx.srv.makeRoom(a.token, '取りこぼし確認', [b.id]);
    let sb = await connect(b.token);
    const first = await ctx.srv.send(a.token, r.id, 'before the gap');
    await sb.next((f) => f.type === 'message.created' && f.message?.id === first.id, 3000);
    let lastSeen = first.seq;
    await sb.close();
    // 100 messages while b is away, 4 senders at a time.
    const sent = [];
    let i = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (i < 100) {
        const n = ++i;
        sent.push(await ctx.srv.send(a.token, r.id, `欠落${n}`));
      }
    }));
    assert.equal(sent.length, 100);
    // Reconnect first, then fetch, while more messages keep coming.
    sb = await connect(b.token);
    const live = [];
    const more = (async () => { for (let k = 0; k < 10; k++) live.push(await ctx.srv.send(a.token, r.id, `追加${k}`)); })();
    const fetched = [];
    let after = lastSeen;
    for (let guard = 0; guard < 100; guard++) {
      const h = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${r.id}/messages?after=${after}&limit=30`, { token: b.token }), 200, 'catch-up page');
      fetched.push(...h.json.messages);
      if (!h.json.has_more) break;
      after = h.json.messages[h.json.messages.length - 1].seq;
    }
    await more;
    const lastLive = live[live.length - 1];
    await sb.next((f) => f.type === 'message.created' && f.message?.id === lastLive.id, 5000);
    // The fetched pages: strictly ascending, contiguous from lastSeen+1.
    const seqs = fetched.map((m) => m.seq);
    seqs.forEach((s, k) => assert.equal(s, lastSeen + 1 + k, `fetched seq #${k}`));
    assert.ok(fetched.length >= 100, 'at least the 100 missed ones');
    // Merge the live frames in, as a client does, by seq.
    const liveFrames = sb.all((f) => f.type === 'message.created' && inRoom(r.id)(f)).map((f) => f.message);
    const liveSeqs = liveFrames.map((m) => m.seq);
    assert.equal(new Set(liveSeqs).size, liveSeqs.length, 'no duplicate live frames');
    const merged = new Map();
    for (const m of [...fetched, ...liveFrames]) {
      if (merged.has(m.seq)) assert.equal(merged.get(m.seq).id, m.id, `seq ${m.seq} is one message`);
      merged.set(m.seq, m);
    }
    const all = [...merged.keys()].sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: 110 }, (_, k) => lastSeen + 1 + k), 'every seq exactly once, none missing');
    const ids = [...sent, ...live].map((m) => String(m.id)).sort();
    assert.deepEqual([...merged.values()].map((m) => String(m.id)).sort(), ids, 'exactly the messages sent');
    // Live frames only carry messages after the connect, in order.
    for (let k = 1; k < liveSeqs.length; k++) assert.ok(liveSeqs[k] > liveSeqs[k - 1], 'live frames in seq order');
    await sb.close();
  });
});

describe('slow consumers', () => {
  T('a socket that stops reading is disconnected (1008) and never slows the others; it resyncs by seq', async () => {
    const r = await ctx.srv.makeRoom(a.token, '大量配信', [b.id, c.id]);
    const slow = await connect(b.token), fast = await connect(c.token);
    slow.ws._socket.pause(); // stop reading: the server's queue for this socket grows
    const text = 'あ'.repeat(10000); // ~30 KB per frame; 600 frames ≈ 18 MB, far past 4 MiB plus socket buffers
    const N = 600;
    const sent = [];
    let i = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (i < N) { i++; sent.push(await ctx.srv.send(a.token, r.id, text)); }
    }));
    const sendMs = Date.now() - t0;
    const last = sent.reduce((x, y) => (y.seq > x.seq ? y : x));
    await fast.next((f) => f.type === 'message.created' && f.message?.id === last.id, 10000);
    const fastSeqs = fast.all((f) => f.type === 'message.created' && inRoom(r.id)(f)).map((f) => f.message.seq);
    assert.equal(new Set(fastSeqs).size, N, 'the reading client got every message');
    slow.ws._socket.resume();
    const ci = await withTimeout(slow.closed, 15000 * SLOW, 'the slow socket to be disconnected').catch(() => null);
    assert.ok(ci, `the slow socket was disconnected (it got ${slow.all((f) => f.type === 'message.created').length} of ${N} frames; sends took ${sendMs} ms)`);
    assert.ok(ci.code === 1008 || ci.code === 1006, `closed with 1008 (or cut): ${ci.code}`);
    const got = slow.all((f) => f.type === 'message.created' && inRoom(r.id)(f)).map((f) => f.message.seq);
    assert.ok(got.length < N, 'it did miss messages');
    for (let k = 1; k < got.length; k++) assert.equal(got[k], got[k - 1] + 1, 'what it got has no hole before the cut');
    const lastSeen = got.length ? got[got.length - 1] : r.last_seq ?? 0;
    const rest = await ctx.srv.history(b.token, r.id, lastSeen);
    assert.equal(got.length + rest.length, N, 'frames + resync = every message once');
    assert.ok(await ctx.srv.healthy());
  });
});

describe('deletion events', () => {
  T('message.deleted reaches members with the tombstone, not non-members', async () => {
    const sb = await connect(b.token), sc = await connect(c.token);
    const m = await ctx.srv.send(a.token, room.id, '消す予定');
    await sb.next((f) => f.type === 'message.created' && f.message?.id === m.id, 3000);
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token }), 200, 'delete');
    const d = await sb.next((f) => f.type === 'message.deleted', 3000);
    assert.equal(String(d.room_id), String(room.id));
    assert.equal(d.message.id, m.id);
    assert.equal(d.message.deleted, true);
    assert.equal(d.message.text, null);
    const e = await ctx.srv.send(a.token, room.id, '編集前');
    await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${e.id}`, { token: a.token, body: { text: '編集後' } });
    const u = await sb.next((f) => f.type === 'message.updated' && f.message?.id === e.id, 3000);
    assert.equal(u.message.text, '編集後');
    const s2 = await ctx.srv.send(a.token, side.id, 'sentinel 3');
    await sc.next((f) => f.message?.id === s2.id, 3000);
    assert.deepEqual(sc.all(inRoom(room.id)), [], 'no deletion or edit event to a non-member');
    await Promise.all([sb.close(), sc.close()]);
  });
});

describe('handshake checks', () => {
  T('a foreign Origin is refused with 403; the listen address is accepted; no Origin is accepted', async () => {
    const bad = await ctx.srv.wsConnect(a.token, { origin: 'http://evil.example', waitHello: false }).then((s) => { s.close(); return null; }, (e) => e);
    assert.ok(bad, 'the upgrade with a foreign Origin must fail');
    assert.equal(bad.status, 403, `refused with 403 (${bad.message})`);
    const near = await ctx.srv.wsConnect(a.token, { origin: `http://127.0.0.1:${ctx.srv.port + 1}`, waitHello: false }).then((s) => { s.close(); return null; }, (e) => e);
    assert.equal(near?.status, 403, 'another port on the same host is another origin');
    const ok = await connect(a.token, { origin: ctx.srv.base });
    assert.equal(ok.all((f) => f.type === 'hello').length, 1);
    await ok.close();
    const none = await connect(a.token);
    await none.close();
  });

  T('the session cookie authenticates the socket; a bad token is refused', async () => {
    const r = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: a.login, password: a.password } });
    const cookie = [].concat(r.headers['set-cookie'] || []).find((x) => x.startsWith('kairan_session='))?.split(';')[0];
    assert.ok(cookie, 'cookie set');
    const s = await connect(null, { cookie, origin: ctx.srv.base });
    assert.equal(s.all((f) => f.type === 'hello')[0].user_id, a.id);
    await s.close();
    const bad = await ctx.srv.wsConnect('not-a-token', { waitHello: false }).then((x) => { x.close(); return null; }, (e) => e);
    assert.equal(bad?.status, 401);
    const cross = await ctx.srv.wsConnect(null, { cookie, origin: 'https://evil.example', waitHello: false }).then((x) => { x.close(); return null; }, (e) => e);
    assert.equal(cross?.status, 403, 'cross-site WebSocket hijacking with the cookie is refused');
  });
});
