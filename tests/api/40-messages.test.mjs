// Messages: sends with ids and per-room sequences, idempotent retries by client_msg_id,
// history paging in both directions, replies, mentions, stamps, edits with history, deletion
// with tombstones, and 404 for non-members on every room-scoped endpoint.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PG, Server, assertError, assertStatus, dbExec, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
let a, b, c, room, other;
before(async () => {
  await ctx.ready;
  a = await ctx.srv.makeUser(null, uid('ma'), { name: '野洲 愛' });
  b = await ctx.srv.makeUser(null, uid('mb'), { name: '野洲 文' });
  c = await ctx.srv.makeUser(null, uid('mc'), { name: '野洲 千' });
  room = await ctx.srv.makeRoom(a.token, '議会答弁準備', [b.id]);
  other = await ctx.srv.makeRoom(a.token, '別件', [b.id, c.id]);
});
const post = (token, roomId, body) => ctx.srv.api('POST', `/api/v1/rooms/${roomId}/messages`, { token, body });
const msgs = async (token, roomId, query) => {
  const r = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${roomId}/messages${query}`, { token }), 200, `history ${query}`);
  assert.ok(Array.isArray(r.json.messages) && typeof r.json.has_more === 'boolean', 'answer {messages, has_more}');
  return r.json;
};

describe('sending', () => {
  T('201 with id, seq, sender, text; seqs increase by one per room', async () => {
    const r = await post(a.token, room.id, { text: '来週の会議資料を共有します', client_msg_id: uid('c') });
    assertStatus(r, 201, 'send');
    const m = r.json;
    assert.notEqual(m.id, undefined);
    assert.equal(typeof m.seq, 'number');
    assert.equal(m.room_id, room.id);
    assert.equal(m.text, '来週の会議資料を共有します');
    assert.equal(m.sender.id, a.id);
    assert.equal(m.sender.name, '野洲 愛');
    assert.equal(m.deleted, false);
    assert.equal(m.edited_at, null);
    assert.equal(m.read_count, 0);
    assert.match(m.created_at, /\+09:00$/);
    const m2 = await ctx.srv.send(b.token, room.id, '承知しました');
    assert.equal(m2.seq, m.seq + 1);
    const o = await ctx.srv.send(b.token, other.id, '別の部屋');
    assert.equal(o.seq, 1, 'sequences are per room');
  });

  T('a retried client_msg_id returns the original id and seq; another text or room → 409', async () => {
    const cid = uid('retry');
    const body = { text: '再送の確認', client_msg_id: cid };
    const r1 = assertStatus(await post(a.token, room.id, body), 201, 'first');
    const r2 = assertStatus(await post(a.token, room.id, body), 201, 'retry');
    assert.equal(r2.json.id, r1.json.id);
    assert.equal(r2.json.seq, r1.json.seq);
    assert.deepEqual(r2.json, r1.json, 'the same body as the first answer');
    assertError(await post(a.token, room.id, { text: '違う本文', client_msg_id: cid }), 409, 'conflict', 'same id, other text');
    assertError(await post(a.token, other.id, body), 409, 'conflict', 'same id, other room');
    const h = await ctx.srv.history(a.token, room.id, r1.json.seq - 1);
    assert.equal(h.filter((m) => m.client_msg_id === cid).length, 1, 'stored once');
    assert.equal(h[h.length - 1].seq, r1.json.seq, 'no sequence number used by the retries');
    // client_msg_id is scoped to the sender: another person may use the same one.
    const rb = assertStatus(await post(b.token, room.id, { text: '同じIDの別人', client_msg_id: cid }), 201, 'another sender, same id');
    assert.notEqual(rb.json.id, r1.json.id);
  });

  T('concurrent retries of one client_msg_id make one message', async () => {
    const cid = uid('race');
    const rs = await Promise.all(Array.from({ length: 8 }, () => post(a.token, room.id, { text: '同時再送', client_msg_id: cid })));
    for (const r of rs) assertStatus(r, 201, 'concurrent retry');
    assert.equal(new Set(rs.map((r) => String(r.json.id))).size, 1, 'one id');
    assert.equal(new Set(rs.map((r) => r.json.seq)).size, 1, 'one seq');
  });

  T('validation: empty, too long, NUL, bad client_msg_id → 400; 10,000 code points accepted', async () => {
    assertError(await post(a.token, room.id, { text: '', client_msg_id: uid('c') }), 400, 'invalid_parameter', 'empty');
    assertError(await post(a.token, room.id, { text: '𠮷'.repeat(10001), client_msg_id: uid('c') }), 400, 'invalid_parameter', '10,001 code points');
    const long = assertStatus(await post(a.token, room.id, { text: '𠮷'.repeat(10000), client_msg_id: uid('c') }), 201, '10,000 astral code points');
    assert.equal(long.json.text, '𠮷'.repeat(10000));
    assertError(await post(a.token, room.id, { text: 'a\u0000b', client_msg_id: uid('c') }), 400, ['invalid_parameter', 'invalid_json'], 'NUL');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: 'k'.repeat(65) }), 400, 'invalid_parameter', '65-character client_msg_id');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: '' }), 400, 'invalid_parameter', 'empty client_msg_id');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: 'あ' }), 400, 'invalid_parameter', 'non-ASCII client_msg_id');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: 'a\nb' }), 400, 'invalid_parameter', 'control character in client_msg_id');
    assertStatus(await post(a.token, room.id, { text: 'x', client_msg_id: 'k'.repeat(64) }), 201, '64-character client_msg_id');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: uid('c'), mentions: Array(51).fill(b.id) }), 400, 'invalid_parameter', '51 mentions');
  });
});

describe('history paging', () => {
  let r, sent;
  before(async () => {
    r = await ctx.srv.makeRoom(a.token, 'ページング', [b.id]);
    sent = [];
    for (let i = 1; i <= 25; i++) sent.push(await ctx.srv.send(i % 2 ? a.token : b.token, r.id, `第${i}報`));
    assert.deepEqual(sent.map((m) => m.seq), Array.from({ length: 25 }, (_, i) => i + 1));
  });

  T('after=SEQ ascending with has_more', async () => {
    let h = await msgs(b.token, r.id, '?after=0&limit=10');
    assert.deepEqual(h.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(h.has_more, true);
    assert.equal(h.messages[0].text, '第1報');
    for (const m of h.messages) for (const k of ['id', 'seq', 'text', 'read_count']) assert.ok(k in m, `message has ${k}`);
    h = await msgs(b.token, r.id, '?after=20&limit=10');
    assert.deepEqual(h.messages.map((m) => m.seq), [21, 22, 23, 24, 25]);
    assert.equal(h.has_more, false);
    h = await msgs(b.token, r.id, '?after=15&limit=10');
    assert.deepEqual(h.messages.map((m) => m.seq), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    assert.equal(h.has_more, false, 'exactly the last page: no more');
    h = await msgs(b.token, r.id, '?after=25');
    assert.deepEqual(h.messages, []);
    assert.equal(h.has_more, false);
    h = await msgs(b.token, r.id, '?after=1000');
    assert.deepEqual(h.messages, []);
  });

  T('before=SEQ descending with has_more', async () => {
    let h = await msgs(b.token, r.id, '?before=11&limit=5');
    assert.deepEqual(h.messages.map((m) => m.seq), [10, 9, 8, 7, 6]);
    assert.equal(h.has_more, true);
    h = await msgs(b.token, r.id, '?before=4&limit=5');
    assert.deepEqual(h.messages.map((m) => m.seq), [3, 2, 1]);
    assert.equal(h.has_more, false);
    h = await msgs(b.token, r.id, '?before=1');
    assert.deepEqual(h.messages, []);
  });

  T('neither: the latest page, ascending; limit defaults to 50', async () => {
    let h = await msgs(b.token, r.id, '?limit=3');
    assert.deepEqual(h.messages.map((m) => m.seq), [23, 24, 25]);
    assert.equal(h.has_more, true);
    h = await msgs(b.token, r.id, '');
    assert.deepEqual(h.messages.map((m) => m.seq), Array.from({ length: 25 }, (_, i) => i + 1));
    assert.equal(h.has_more, false);
    h = await msgs(b.token, r.id, '?after=0&limit=200');
    assert.equal(h.messages.length, 25);
  });

  T('limit outside 1–200 and malformed cursors → 400 invalid_parameter', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=-5', 'limit=abc', 'limit=', 'limit=1e3', 'limit=99999999999999999999', 'after=abc', 'after=-1', 'before=x', 'after=1.5', 'after=1&before=5']) {
      assertError(await ctx.srv.api('GET', `/api/v1/rooms/${r.id}/messages?${q}`, { token: b.token }), 400, 'invalid_parameter', q);
    }
  });

  T('GET one message; unknown message id → 404; a message of another room → 404', async () => {
    const g = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${r.id}/messages/${sent[4].id}`, { token: b.token }), 200, 'one');
    assert.equal(g.json.seq, 5);
    assert.equal(g.json.text, '第5報');
    assertError(await ctx.srv.api('GET', `/api/v1/rooms/${r.id}/messages/987654321`, { token: b.token }), 404, 'not_found', 'unknown message');
    assertError(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}/messages/${sent[4].id}`, { token: b.token }), 404, 'not_found', 'message of another room via this room');
  });
});

describe('replies, mentions, stamps', () => {
  T('reply_to quotes the message; a message of another room → 400', async () => {
    const q = await ctx.srv.send(b.token, room.id, '資料はいつ頃になりますか');
    const r = assertStatus(await post(a.token, room.id, { text: '明日の午前中です', client_msg_id: uid('c'), reply_to: q.id }), 201, 'reply');
    assert.equal(r.json.reply_to.id, q.id);
    assert.equal(r.json.reply_to.seq, q.seq);
    assert.equal(r.json.reply_to.sender_id, b.id);
    assert.equal(r.json.reply_to.text, '資料はいつ頃になりますか');
    const o = await ctx.srv.send(b.token, other.id, '別室の発言');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: uid('c'), reply_to: o.id }), 400, 'invalid_parameter', 'reply across rooms');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: uid('c'), reply_to: 987654321 }), 400, 'invalid_parameter', 'reply to unknown');
  });

  T('mentions and mention_all; a non-member mention → 400', async () => {
    const r = assertStatus(await post(a.token, room.id, { text: '@野洲 文 さん確認を', client_msg_id: uid('c'), mentions: [b.id] }), 201, 'mention');
    assert.deepEqual(r.json.mentions, [b.id]);
    assert.equal(r.json.mention_all, false);
    const all = assertStatus(await post(a.token, room.id, { text: '@room 全員', client_msg_id: uid('c'), mention_all: true }), 201, 'mention all');
    assert.equal(all.json.mention_all, true);
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: uid('c'), mentions: [c.id] }), 400, 'invalid_parameter', 'mention of a non-member');
    assertError(await post(a.token, room.id, { text: 'x', client_msg_id: uid('c'), mentions: 'b' }), 400, 'invalid_parameter', 'mentions not a list');
  });

  T('the 201 answer is the message as GET shows it, byte for byte', async () => {
    const s = assertStatus(await ctx.srv.api('GET', '/api/v1/stamps', { token: a.token }), 200, 'stamps').json.stamps;
    const bodies = [
      { text: '議事録を確認しました', client_msg_id: uid('c') },
      { text: '@野洲 文 @野洲 愛 確認を', client_msg_id: uid('c'), mentions: [b.id, a.id, b.id], mention_all: true },
      { text: '', stamp: s[0].id, client_msg_id: uid('c') },
      { text: 'タブ\tと\n改行と "引用" と \\ と 😀', client_msg_id: uid('c') },
    ];
    // A sender whose card needs escaping (quotes, a backslash, a slash).
    const q = await ctx.srv.makeUser(null, uid('mq'), { name: '野洲 "引用" \\ 記号', title: '課長/補佐' });
    const qroom = await ctx.srv.makeRoom(q.token, '表記確認', [a.id]);
    for (const [token, roomId, body] of [...bodies.map((b) => [a.token, room.id, b]),
      [q.token, qroom.id, { text: '確認 "です" \\ /', client_msg_id: 'q"\\/' + uid('c') }]]) {
      const r = assertStatus(await post(token, roomId, body), 201, 'send');
      const g = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${roomId}/messages/${r.json.id}`, { token }), 200, 'get');
      assert.equal(r.text, g.text, `answer of ${JSON.stringify(body)}, byte for byte`);
    }
  });

  T('a stamp from GET /stamps; unknown stamp → 400', async () => {
    const s = assertStatus(await ctx.srv.api('GET', '/api/v1/stamps', { token: a.token }), 200, 'stamps').json.stamps;
    assert.ok(s.length > 0);
    const r = assertStatus(await post(a.token, room.id, { text: '', stamp: s[0].id, client_msg_id: uid('c') }), 201, 'stamp');
    assert.equal(r.json.stamp, s[0].id);
    assert.equal(r.json.text, '');
    assertError(await post(a.token, room.id, { text: '', stamp: 'no-such-stamp', client_msg_id: uid('c') }), 400, 'invalid_parameter', 'unknown stamp');
    assertError(await post(a.token, room.id, { text: '', stamp: '../../etc/passwd', client_msg_id: uid('c') }), 400, 'invalid_parameter', 'hostile stamp id');
  });
});

describe('edits and deletion', () => {
  T('the sender edits: 200 with edited_at; edits keep the history, oldest first; others 403', async () => {
    const m = await ctx.srv.send(a.token, room.id, '初版');
    assertError(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: b.token, body: { text: '乗っ取り' } }), 403, 'forbidden', 'edit by another');
    const e1 = assertStatus(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token, body: { text: '第二版' } }), 200, 'edit 1');
    assert.equal(e1.json.text, '第二版');
    assert.ok(e1.json.edited_at, 'edited_at set');
    assert.equal(e1.json.seq, m.seq, 'an edit keeps the seq');
    assertStatus(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token, body: { text: '第三版' } }), 200, 'edit 2');
    assertError(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token, body: { text: '' } }), 400, 'invalid_parameter', 'edit to empty');
    const ed = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}/messages/${m.id}/edits`, { token: b.token }), 200, 'edits');
    assert.deepEqual(ed.json.edits.map((x) => x.text), ['初版', '第二版']);
    for (const x of ed.json.edits) assert.match(x.edited_at, /\+09:00$/);
    const h = await msgs(b.token, room.id, `?after=${m.seq - 1}&limit=1`);
    assert.equal(h.messages[0].text, '第三版');
    assert.ok(h.messages[0].edited_at);
  });

  T('delete: 403 for others; the sender gets the tombstone; history keeps the place with text null', async () => {
    const q = await ctx.srv.send(b.token, room.id, '削除される前の質問');
    const m = await ctx.srv.send(a.token, room.id, '誤送信した個人情報 090-1234-5678', { reply_to: q.id, mentions: [b.id] });
    await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token, body: { text: '誤送信（修正版）' } });
    assertError(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: b.token }), 403, 'forbidden', 'delete by another');
    assertError(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: ctx.srv.adminToken }), 404, 'not_found', 'delete by a non-member administrator');
    const d = await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token });
    assertStatus(d, 200, 'delete by the sender');
    assert.equal(d.json.deleted, true);
    assert.equal(d.json.text, null);
    assert.ok(d.json.deleted_at);
    const h = await msgs(b.token, room.id, `?after=${m.seq - 1}&limit=1`);
    const t = h.messages[0];
    assert.equal(t.id, m.id);
    assert.equal(t.seq, m.seq, 'the tombstone keeps its place');
    assert.equal(t.deleted, true);
    assert.equal(t.text, null);
    assert.equal(t.stamp, null);
    assert.deepEqual(t.files, []);
    assert.equal(t.reply_to, null);
    assert.ok(!JSON.stringify(h).includes('090-1234-5678') && !JSON.stringify(h).includes('修正版'), 'no trace of the text');
    const ed = await ctx.srv.api('GET', `/api/v1/rooms/${room.id}/messages/${m.id}/edits`, { token: b.token });
    assert.ok((ed.status === 200 && ed.json.edits.length === 0) || ed.status === 404, `edit history is gone (${ed.status} ${ed.text.slice(0, 100)})`);
    const one = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: b.token }), 200, 'GET tombstone');
    assert.equal(one.json.text, null);
    assertError(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token, body: { text: '復活' } }), [404, 409], undefined, 'edit a deleted message');
    const again = await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token });
    assert.ok([200, 404, 409].includes(again.status), `deleting twice → ${again.status}`);
    const rep = assertStatus(await post(b.token, room.id, { text: 'x', client_msg_id: uid('c'), reply_to: m.id }), [201, 400], 'reply to a deleted message');
    if (rep.status === 201) assert.ok(rep.json.reply_to === null || rep.json.reply_to.text === null, 'a reply never quotes deleted text');
  });

  T('keep_deleted_content=false: the deleted text is not left in the database files', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const secret = 'マイナンバー' + Date.now() + '-0427';
    const m = await ctx.srv.send(a.token, room.id, secret);
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token }), 200, 'delete');
    if (PG) {
      // PostgreSQL: no row keeps it (its pages are reused after autovacuum: docs/scaling.md).
      const left = dbExec(ctx.srv.dataDir, `SELECT (SELECT count(*) FROM messages WHERE text LIKE '%${secret}%')`
        + ` + (SELECT count(*) FROM message_edits WHERE text LIKE '%${secret}%')`
        + ` + (SELECT count(*) FROM search_terms WHERE kind = 'm' AND id = ${m.id})`);
      assert.equal(left, '0', 'no row still holds the deleted text');
      return;
    }
    const files = readdirSync(ctx.srv.dataDir).filter((f) => /\.db(-wal)?$|\.sqlite/.test(f));
    assert.ok(files.length > 0, `database files found in ${ctx.srv.dataDir}`);
    const needle = Buffer.from(secret, 'utf8');
    const holding = files.filter((f) => readFileSync(join(ctx.srv.dataDir, f)).includes(needle));
    // SQLite keeps freed pages and old WAL frames unless secure_delete is on and the WAL is
    // checkpointed; R4 says the text must disappear, so the files must not hold it.
    assert.deepEqual(holding, [], 'no database file still holds the deleted text');
  });
});

describe('non-members', () => {
  T('404 not_found on every room-scoped endpoint, and nothing changes', async () => {
    const m = await ctx.srv.send(a.token, room.id, '部外秘');
    const before = (await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: a.token })).json;
    const probes = [
      ['GET', `/api/v1/rooms/${room.id}`], ['PATCH', `/api/v1/rooms/${room.id}`, { name: '乗っ取り' }],
      ['GET', `/api/v1/rooms/${room.id}/members`], ['POST', `/api/v1/rooms/${room.id}/members`, { user_ids: [c.id] }],
      ['DELETE', `/api/v1/rooms/${room.id}/members/${b.id}`], ['DELETE', `/api/v1/rooms/${room.id}/members/${c.id}`],
      ['GET', `/api/v1/rooms/${room.id}/messages`], ['GET', `/api/v1/rooms/${room.id}/messages?after=0`],
      ['GET', `/api/v1/rooms/${room.id}/messages?before=100`],
      ['POST', `/api/v1/rooms/${room.id}/messages`, { text: '侵入', client_msg_id: uid('c') }],
      ['GET', `/api/v1/rooms/${room.id}/messages/${m.id}`], ['PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { text: 'x' }],
      ['DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`], ['GET', `/api/v1/rooms/${room.id}/messages/${m.id}/edits`],
      ['GET', `/api/v1/rooms/${room.id}/messages/${m.id}/readers`], ['POST', `/api/v1/rooms/${room.id}/read`, { seq: m.seq }],
    ];
    const bad = [];
    for (const [meth, p, body] of probes) {
      const r = await ctx.srv.api(meth, p, { token: c.token, body });
      if (r.status !== 404 || r.json?.error?.code !== 'not_found') bad.push(`${meth} ${p} → ${r.status} ${r.text.slice(0, 100)}`);
      if (r.text.includes('部外秘')) bad.push(`${meth} ${p} leaks the text`);
    }
    assert.deepEqual(bad, [], 'every room-scoped endpoint answers 404 to a non-member');
    const afterR = (await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: a.token })).json;
    assert.equal(afterR.name, before.name);
    assert.equal(afterR.last_seq, before.last_seq);
    assert.equal(afterR.member_count, before.member_count);
    // An unknown room answers the same as a room one is not in.
    const unk = await ctx.srv.api('GET', '/api/v1/rooms/987654321/messages', { token: c.token });
    const mine = await ctx.srv.api('GET', `/api/v1/rooms/${room.id}/messages`, { token: c.token });
    assert.equal(unk.status, mine.status);
    assert.equal(unk.json.error.code, mine.json.error.code);
  });
});

describe('load', () => {
  T('3000 sends from 8 concurrent clients: all 201, seqs unique and gapless, the server stays up', async () => {
    // Its own server, so that a crash here does not take the other tests down with it.
    const srv = new Server();
    ctx.more.push(srv);
    ctx.beforeStop.push(async () => { if (srv.proc) await srv.kill9(); });
    await srv.start();
    await srv.adminLogin();
    const a = await srv.makeUser(null, uid('pa')), b = await srv.makeUser(null, uid('pb'));
    const r = await srv.makeRoom(a.token, '同時送信', [b.id]);
    const post = (token, roomId, body) => srv.api('POST', `/api/v1/rooms/${roomId}/messages`, { token, body });
    const results = [];
    const failures = [];
    let i = 0;
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      while (i < 3000) {
        const n = ++i;
        try {
          const x = await post(w % 2 ? a.token : b.token, r.id, { text: `同時${n}`, client_msg_id: `par-${n}` });
          if (x.status === 201) results.push(x.json); else failures.push(`${n}: ${x.status} ${x.text.slice(0, 100)}`);
        } catch (e) {
          failures.push(`${n}: ${e.message}`);
        }
      }
    }));
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} sends failed; server exits: ${JSON.stringify(srv.exits)}`);
    assert.equal(results.length, 3000);
    assert.deepEqual(results.map((m) => m.seq).sort((x, y) => x - y), Array.from({ length: 3000 }, (_, k) => k + 1));
    const h = await srv.history(a.token, r.id);
    assert.equal(h.length, 3000);
    for (const m of h) assert.equal(m.text, `同時${m.client_msg_id.slice(4)}`, `message ${m.seq} has its own text`);
    await srv.stop();
  });
});
