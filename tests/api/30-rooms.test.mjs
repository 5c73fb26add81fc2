// Rooms: group rooms with members, owners, direct rooms (one per pair), membership changes,
// leaving, archiving, the room list (activity order, unread, mention) and announcement rooms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
let a, b, c, d;
before(async () => {
  await ctx.ready;
  a = await ctx.srv.makeUser(null, uid('ra'), { name: '守山 明' });
  b = await ctx.srv.makeUser(null, uid('rb'), { name: '守山 勉' });
  c = await ctx.srv.makeUser(null, uid('rc'), { name: '守山 千代' });
  d = await ctx.srv.makeUser(null, uid('rd'), { name: '守山 大' });
});
const rooms = async (token, q = '') => assertStatus(await ctx.srv.api('GET', '/api/v1/rooms' + q, { token }), 200, 'GET /rooms').json.rooms;
const members = async (token, id) => assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${id}/members`, { token }), 200, 'members').json.members;

describe('group rooms', () => {
  T('create with members: 201, the creator is a member and owner, members see it', async () => {
    const r = await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: '令和9年度予算要求', topic: '財政課との調整', member_ids: [b.id, c.id] } });
    assertStatus(r, 201, 'create');
    const room = r.json;
    assert.equal(room.kind, 'group');
    assert.equal(room.name, '令和9年度予算要求');
    assert.equal(room.topic, '財政課との調整');
    assert.equal(room.archived, false);
    assert.equal(room.member_count, 3);
    assert.equal(room.role, 'owner');
    assert.equal(room.partner, null);
    assert.match(room.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+09:00$/, 'RFC 3339 in Japan time');
    const ms = await members(b.token, room.id);
    const byId = Object.fromEntries(ms.map((m) => [String(m.id), m]));
    assert.deepEqual(Object.keys(byId).sort(), [a.id, b.id, c.id].map(String).sort());
    assert.equal(byId[a.id].role, 'owner');
    assert.equal(byId[b.id].role, 'member');
    assert.equal(typeof byId[b.id].last_read_seq, 'number');
    const rb = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: b.token }), 200, 'member GET');
    assert.equal(rb.json.role, 'member');
    assert.ok((await rooms(c.token)).some((x) => x.id === room.id), 'in the member\'s room list');
    assertError(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: d.token }), 404, 'not_found', 'non-member');
    assert.ok(!(await rooms(d.token)).some((x) => x.id === room.id), 'not in a non-member\'s list');
  });

  T('validation: empty or long name, unknown member id, non-list member_ids → 400', async () => {
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: '', member_ids: [] } }), 400, 'invalid_parameter', 'empty name');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: 'あ'.repeat(101), member_ids: [] } }), 400, 'invalid_parameter', '101-character name');
    assertStatus(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: 'あ'.repeat(100), member_ids: [] } }), 201, '100-character name');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: 'x', topic: 'y'.repeat(1001), member_ids: [] } }), 400, 'invalid_parameter', 'long topic');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: 'x', member_ids: [b.id, 987654321] } }), 400, 'invalid_parameter', 'unknown member');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: 'x', member_ids: 'b' } }), 400, 'invalid_parameter', 'member_ids not a list');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: 'x', member_ids: [], kind: 'announcement' } }), 403, 'forbidden', 'announcement by a non-administrator');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: a.token, body: { name: 'x', member_ids: [], kind: 'weird' } }), 400, 'invalid_parameter', 'unknown kind');
  });

  T('add and remove members; leave; only owners remove others', async () => {
    const room = await ctx.srv.makeRoom(a.token, '会場手配', [b.id]);
    const add = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/members`, { token: b.token, body: { user_ids: [c.id] } }), 200, 'member adds');
    assert.ok(add.json.members.some((m) => m.id === c.id));
    assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: c.token }), 200, 'newcomer sees the room');
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/members`, { token: b.token, body: { user_ids: [987654321] } }), 400, 'invalid_parameter', 'unknown user');
    assertError(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/members/${c.id}`, { token: b.token }), 403, 'forbidden', 'member removes another');
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/members/${c.id}`, { token: a.token }), 204, 'owner removes');
    assertError(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: c.token }), 404, 'not_found', 'removed member');
    assertError(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}/messages`, { token: c.token }), 404, 'not_found', 'removed member reads history');
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/members/${b.id}`, { token: b.token }), 204, 'leave');
    assertError(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: b.token }), 404, 'not_found', 'after leaving');
    assert.ok(!(await rooms(b.token, '?archived=all')).some((x) => x.id === room.id), 'gone from the list');
    const ms = await members(a.token, room.id);
    assert.deepEqual(ms.map((m) => m.id), [a.id]);
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: b.token, body: { text: 'まだいる?', client_msg_id: uid('c') } }), 404, 'not_found', 'send after leaving');
  });

  T('archive: owners only; archived rooms refuse sends 409; listed with archived=1; unarchive', async () => {
    const room = await ctx.srv.makeRoom(a.token, '旧案件', [b.id]);
    await ctx.srv.send(b.token, room.id, '最後の連絡');
    assertError(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}`, { token: b.token, body: { archived: true } }), 403, 'forbidden', 'member archives');
    const p = assertStatus(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}`, { token: a.token, body: { archived: true } }), 200, 'owner archives');
    assert.equal(p.json.archived, true);
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: b.token, body: { text: 'まだ?', client_msg_id: uid('c') } }), 409, 'conflict', 'send to archived');
    assert.ok(!(await rooms(b.token)).some((x) => x.id === room.id), 'not in the default list');
    assert.ok((await rooms(b.token, '?archived=1')).some((x) => x.id === room.id), 'in archived=1');
    assert.ok((await rooms(b.token, '?archived=all')).some((x) => x.id === room.id), 'in archived=all');
    assert.ok(!(await rooms(b.token, '?archived=1')).some((x) => x.archived === false), 'archived=1 lists only archived rooms');
    assertError(await ctx.srv.api('GET', '/api/v1/rooms?archived=maybe', { token: b.token }), 400, 'invalid_parameter', 'archived=maybe');
    const h = await ctx.srv.history(b.token, room.id);
    assert.equal(h.length, 1, 'history still readable');
    assertStatus(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}`, { token: a.token, body: { archived: false } }), 200, 'unarchive');
    await ctx.srv.send(b.token, room.id, '再開します');
    const ren = assertStatus(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}`, { token: a.token, body: { name: '新案件', topic: '' } }), 200, 'rename');
    assert.equal(ren.json.name, '新案件');
    assertError(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}`, { token: a.token, body: { archived: 'yes' } }), 400, 'invalid_parameter', 'archived not a bool');
  });
});

describe('direct rooms', () => {
  T('one per pair: 201 when created, then 200 with the same room from either side', async () => {
    const x = await ctx.srv.makeUser(null, uid('dx'));
    const y = await ctx.srv.makeUser(null, uid('dy'));
    const r1 = assertStatus(await ctx.srv.api('POST', '/api/v1/rooms/direct', { token: x.token, body: { user_id: y.id } }), 201, 'first');
    assert.equal(r1.json.kind, 'direct');
    assert.equal(r1.json.partner.id, y.id);
    const r2 = assertStatus(await ctx.srv.api('POST', '/api/v1/rooms/direct', { token: x.token, body: { user_id: y.id } }), 200, 'again');
    assert.equal(r2.json.id, r1.json.id);
    const r3 = assertStatus(await ctx.srv.api('POST', '/api/v1/rooms/direct', { token: y.token, body: { user_id: x.id } }), 200, 'from the other side');
    assert.equal(r3.json.id, r1.json.id);
    assert.equal(r3.json.partner.id, x.id);
    assertError(await ctx.srv.api('DELETE', `/api/v1/rooms/${r1.json.id}/members/${x.id}`, { token: x.token }), 409, 'conflict', 'leave a direct room');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms/direct', { token: x.token, body: { user_id: 987654321 } }), [400, 404], undefined, 'unknown partner');
    const self = await ctx.srv.api('POST', '/api/v1/rooms/direct', { token: x.token, body: { user_id: x.id } });
    assert.ok(self.status === 400 || self.status === 200 || self.status === 201, `direct room with oneself → ${self.status}`);
  });

  T('concurrent creation still gives one room per pair', async () => {
    const x = await ctx.srv.makeUser(null, uid('cx'));
    const y = await ctx.srv.makeUser(null, uid('cy'));
    const rs = await Promise.all([
      ...Array.from({ length: 4 }, () => ctx.srv.api('POST', '/api/v1/rooms/direct', { token: x.token, body: { user_id: y.id } })),
      ...Array.from({ length: 4 }, () => ctx.srv.api('POST', '/api/v1/rooms/direct', { token: y.token, body: { user_id: x.id } })),
    ]);
    assert.equal(rs.filter((r) => r.status === 201).length, 1, `exactly one 201: ${rs.map((r) => r.status)}`);
    assert.equal(rs.filter((r) => r.status === 200).length, 7);
    assert.equal(new Set(rs.map((r) => String(r.json.id))).size, 1, 'the same room id');
  });
});

describe('room list', () => {
  T('ordered by activity, with unread counts, mention flag and last message', async () => {
    const p = await ctx.srv.makeUser(null, uid('lp'));
    const q = await ctx.srv.makeUser(null, uid('lq'));
    const r1 = await ctx.srv.makeRoom(p.token, '一', [q.id]);
    const r2 = await ctx.srv.makeRoom(p.token, '二', [q.id]);
    const r3 = await ctx.srv.makeRoom(p.token, '三', [q.id]);
    await ctx.srv.send(p.token, r2.id, 'r2 first');
    await ctx.srv.send(p.token, r3.id, 'r3');
    const last = await ctx.srv.send(p.token, r1.id, 'r1 latest');
    let list = await rooms(q.token);
    const ids = list.map((x) => x.id).filter((id) => [r1.id, r2.id, r3.id].includes(id));
    assert.deepEqual(ids, [r1.id, r3.id, r2.id], 'most recent activity first');
    const l1 = list.find((x) => x.id === r1.id);
    assert.equal(l1.unread, 1);
    assert.equal(l1.mention, false);
    assert.equal(l1.last_seq, last.seq);
    assert.equal(l1.last_message.id, last.id);
    assert.equal(l1.last_message.text, 'r1 latest');
    // Unread counts only others' messages; sending marks read for the sender.
    const mine = (await rooms(p.token)).find((x) => x.id === r1.id);
    assert.equal(mine.unread, 0, "the sender's own messages are not unread");
    await ctx.srv.send(p.token, r2.id, 'すみません', { mentions: [q.id] });
    await ctx.srv.send(p.token, r2.id, 'もう一つ');
    list = await rooms(q.token);
    assert.equal(list[0].id, r2.id, 'r2 moved to the top');
    assert.equal(list[0].unread, 3);
    assert.equal(list[0].mention, true);
    assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r2.id}/read`, { token: q.token, body: { seq: list[0].last_seq } }), 200, 'read');
    const r2q = (await rooms(q.token)).find((x) => x.id === r2.id);
    assert.equal(r2q.unread, 0);
    assert.equal(r2q.mention, false);
    assert.equal(r2q.last_read_seq, r2q.last_seq);
    // @room mentions set the flag too.
    await ctx.srv.send(p.token, r3.id, '全員確認ください', { mention_all: true });
    const r3q = (await rooms(q.token)).find((x) => x.id === r3.id);
    assert.equal(r3q.mention, true);
    assert.equal(r3q.unread, 2);
  });
});

describe('announcement rooms', () => {
  T('only owners post (403 for members); administrators create them', async () => {
    const r = await ctx.srv.api('POST', '/api/v1/rooms', { token: ctx.srv.adminToken, body: { name: '全庁お知らせ', kind: 'announcement', member_ids: [a.id, b.id] } });
    assertStatus(r, 201, 'admin creates announcement');
    assert.equal(r.json.kind, 'announcement');
    const before = (await ctx.srv.history(a.token, r.json.id)).length;
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${r.json.id}/messages`, { token: a.token, body: { text: '投稿できる?', client_msg_id: uid('c') } }), 403, 'forbidden', 'member posts');
    const m = await ctx.srv.send(ctx.srv.adminToken, r.json.id, '年末年始の閉庁について');
    assert.equal(m.seq, before + 1, 'refused post used no sequence number');
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${r.json.id}/members`, { token: a.token, body: { user_ids: [c.id] } }), 403, 'forbidden', 'member adds to announcement');
    assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r.json.id}/members`, { token: ctx.srv.adminToken, body: { user_ids: [c.id] } }), 200, 'owner adds');
    const h = await ctx.srv.history(c.token, r.json.id);
    assert.equal(h[h.length - 1].text, '年末年始の閉庁について');
    assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${r.json.id}/read`, { token: a.token, body: { seq: m.seq } }), 200, 'members may mark read');
  });
});
