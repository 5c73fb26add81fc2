// Security: the hash-chained audit log (and `kairan admin audit verify` catching an altered
// row), abuse and screenshot reports, department administrators, signing out other devices,
// and a permission matrix that tries every role against every endpoint.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, dbExec, runAdmin, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });

describe('audit log', () => {
  T('records logins, failures, admin actions and deletions — never passwords or message text', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('au'));
    const bad = await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: 'Wrong-pass-123!' } });
    assertError(bad, 401, 'unauthorized');
    const room = await s.makeRoom(u.token, '監査確認', []);
    const secret = `内密の本文-${uid('t')}`;
    const m = await s.send(u.token, room.id, secret);
    assertStatus(await s.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: u.token }), 200, 'delete');
    assertStatus(await s.api('POST', `/api/v1/admin/users/${u.id}/lock`, { token: s.adminToken }), 200, 'lock');
    assertStatus(await s.api('POST', `/api/v1/admin/users/${u.id}/unlock`, { token: s.adminToken }), 200, 'unlock');

    const all = assertStatus(await s.api('GET', '/api/v1/admin/audit?limit=200', { token: s.adminToken }), 200, 'audit').json;
    const actions = all.entries.map((e) => e.action);
    for (const a of ['auth.login', 'auth.login_failed', 'user.create', 'message.delete', 'user.lock', 'user.unlock']) {
      assert.ok(actions.includes(a), `audit has ${a}: ${actions.join(',')}`);
    }
    const del = all.entries.find((e) => e.action === 'message.delete');
    assert.equal(del.actor_id, u.id);
    assert.equal(del.target_id, m.id);
    assert.equal(del.room_id, room.id);
    const text = JSON.stringify(all);
    assert.ok(!text.includes(secret), 'no message text in the audit log');
    assert.ok(!text.includes(u.password) && !text.includes('Wrong-pass-123!'), 'no passwords in the audit log');

    const locks = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=user.lock', { token: s.adminToken }), 200).json;
    assert.ok(locks.entries.length >= 1 && locks.entries.every((e) => e.action === 'user.lock'), 'filtered by action');
    const again = await s.login(u.login, u.password); // the lock ended u's earlier sessions
    assertStatus(await s.api('GET', '/api/v1/admin/audit', { token: again }), 403, 'staff cannot read the audit log');
    assertError(await s.api('GET', '/api/v1/admin/audit?from=yesterday', { token: s.adminToken }), 400, 'invalid_parameter');
  });

  T('verify passes on an intact log, and fails naming the first altered entry', async () => {
    const s = ctx.srv;
    const ok = await runAdmin(['audit', 'verify'], { dataDir: s.dataDir });
    assert.equal(ok.code, 0, `verify: ${ok.stdout} ${ok.stderr}`);
    assert.match(ok.stdout, /intact: \d+ entries/);
    // The table refuses changes through SQL…
    assert.throws(() => dbExec(s.dataDir, "UPDATE audit SET action = 'x' WHERE id = 2"), /append-only/, 'UPDATE refused by the trigger');
    assert.throws(() => dbExec(s.dataDir, 'DELETE FROM audit WHERE id = 2'), /append-only/, 'DELETE refused by the trigger');
    // …and a change made behind its back is caught by the chain.
    dbExec(s.dataDir, {
      sqlite: "DROP TRIGGER audit_no_update; UPDATE audit SET detail = '{\"forged\":1}' WHERE id = 3;",
      pg: "ALTER TABLE audit DISABLE TRIGGER audit_append_only; UPDATE audit SET detail = '{\"forged\":1}' WHERE id = 3;",
    });
    const bad = await runAdmin(['audit', 'verify'], { dataDir: s.dataDir });
    assert.equal(bad.code, 1, 'verify exits non-zero');
    assert.match(bad.stderr, /entry 3\b/, `names the entry: ${bad.stderr}`);
    // Put it back in a way the chain cannot accept either: removing a row breaks it too.
    dbExec(s.dataDir, { sqlite: 'DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 3;', pg: 'DELETE FROM audit WHERE id = 3;' });
    const gap = await runAdmin(['audit', 'verify'], { dataDir: s.dataDir });
    assert.equal(gap.code, 1);
    assert.match(gap.stderr, /entry 4\b/, `a removed entry shows at the next one: ${gap.stderr}`);
  });
});

describe('reports', () => {
  T('a member reports a message: the queue keeps a snapshot with context; resolving is audited', async () => {
    const s = ctx.srv;
    const a = await s.makeUser(null, uid('ra'));
    const b = await s.makeUser(null, uid('rb'));
    const c = await s.makeUser(null, uid('rc'));
    const room = await s.makeRoom(a.token, '報告確認', [b.id]);
    await s.send(a.token, room.id, '前の発言');
    const m = await s.send(a.token, room.id, 'ひどい発言');
    await s.send(b.token, room.id, '後の発言');
    const outsider = await s.api('POST', `/api/v1/rooms/${room.id}/messages/${m.id}/report`, { token: c.token, body: { reason: 'x' } });
    assert.ok([403, 404].includes(outsider.status), 'a non-member cannot report');
    const rep = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages/${m.id}/report`, { token: b.token, body: { reason: '誹謗中傷です' } }), 201, 'report').json;
    // The sender deletes it afterwards; the snapshot keeps what was said.
    assertStatus(await s.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token }), 200);
    const q = assertStatus(await s.api('GET', '/api/v1/admin/reports?kind=abuse&status=open', { token: s.adminToken }), 200).json;
    const r = q.reports.find((x) => x.id === rep.id);
    assert.ok(r, 'in the queue');
    assert.equal(r.reporter.id, b.id);
    assert.equal(r.snapshot.message.text, 'ひどい発言');
    assert.ok(r.snapshot.before.some((x) => x.text === '前の発言'), 'context before');
    assert.ok(r.snapshot.after.some((x) => x.text === '後の発言'), 'context after');
    assertStatus(await s.api('GET', '/api/v1/admin/reports', { token: b.token }), 403, 'staff cannot see the queue');
    assertStatus(await s.api('PATCH', `/api/v1/admin/reports/${rep.id}`, { token: s.adminToken, body: { status: 'resolved', resolution: '本人に注意した' } }), 204);
    assertError(await s.api('PATCH', `/api/v1/admin/reports/${rep.id}`, { token: s.adminToken, body: { status: 'maybe' } }), 400, 'invalid_parameter');
    const done = assertStatus(await s.api('GET', '/api/v1/admin/reports?kind=abuse&status=resolved', { token: s.adminToken }), 200).json;
    assert.equal(done.reports.find((x) => x.id === rep.id)?.resolution, '本人に注意した');
    const au = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=report.', { token: s.adminToken }), 200).json;
    assert.ok(au.entries.some((e) => e.action === 'report.abuse') && au.entries.some((e) => e.action === 'report.resolve'));
  });

  T('screenshot reports are listed for administrators with user, time and room', async () => {
    const s = ctx.srv;
    const a = await s.makeUser(null, uid('ss'));
    const room = await s.makeRoom(a.token, 'スクショ', []);
    assertStatus(await s.api('POST', '/api/v1/reports/screenshot', { token: a.token, body: { room_id: room.id, source: 'printscreen' } }), 201);
    const list = assertStatus(await s.api('GET', '/api/v1/admin/reports?kind=screenshot', { token: s.adminToken }), 200).json;
    const r = list.reports.find((x) => x.reporter.id === a.id);
    assert.ok(r && r.room_id === room.id && typeof r.created_at === 'string');
    assertError(await s.api('POST', '/api/v1/reports/screenshot', { token: a.token, body: { room_id: 'x' } }), 400, 'invalid_parameter');
  });
});

describe('lost device', () => {
  T("an administrator's lock closes every live socket of the user within one second", async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('lost'));
    const phone = await s.login(u.login, u.password);
    // Several sockets from two sessions, so that both loop threads hold some of them.
    const sockets = await Promise.all([u.token, phone, u.token, phone].map((t) => s.wsConnect(t)));
    const t0 = Date.now();
    assertStatus(await s.api('POST', `/api/v1/admin/users/${u.id}/lock`, { token: s.adminToken }), 200, 'lock');
    const closes = await Promise.all(sockets.map((w) => w.closed));
    const elapsed = Date.now() - t0;
    for (const c of closes) assert.equal(c.code, 4001);
    assert.ok(elapsed < 1000, `all closed within a second (${elapsed} ms)`);
    assertError(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 403, 'account_locked');
  });
});

describe('devices', () => {
  T('signing out the other devices closes their sessions and keeps this one', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('dv'));
    const phone = await s.login(u.login, u.password);
    const ws = await s.wsConnect(phone);
    const r = assertStatus(await s.api('DELETE', '/api/v1/me/sessions', { token: u.token }), 200).json;
    assert.equal(r.revoked, 1);
    await ws.next((f) => f.type === 'session.revoked', 3000);
    assertStatus(await s.api('GET', '/api/v1/me', { token: phone }), 401, 'the other device is signed out');
    assertStatus(await s.api('GET', '/api/v1/me', { token: u.token }), 200, 'this one stays');
    await ws.close();
  });
});

describe('roles', () => {
  T('a department administrator creates announcement rooms for their department only', async () => {
    const s = ctx.srv;
    const d1 = assertStatus(await s.api('POST', '/api/v1/admin/departments', { token: s.adminToken, body: { name: `権限部${uid('d')}` } }), 201).json;
    const d2 = assertStatus(await s.api('POST', '/api/v1/admin/departments', { token: s.adminToken, body: { name: `別部${uid('d')}` } }), 201).json;
    const sub = assertStatus(await s.api('POST', '/api/v1/admin/departments', { token: s.adminToken, body: { name: '課', parent_id: d1.id } }), 201).json;
    const da = await s.makeUser(null, uid('da'), { department_id: d1.id });
    const plain = await s.makeUser(null, uid('pl'), { department_id: d1.id });
    assertStatus(await s.api('PATCH', `/api/v1/admin/users/${da.id}`, { token: s.adminToken, body: { dept_admin: true } }), 200);
    const tok = await s.login(da.login, da.password); // the role is read per request; a new login is not needed but is harmless
    assertStatus(await s.api('POST', '/api/v1/rooms', { token: tok, body: { name: 'お知らせ', kind: 'announcement', department_id: sub.id, member_ids: [plain.id] } }), 201, 'own subtree');
    assertStatus(await s.api('POST', '/api/v1/rooms', { token: tok, body: { name: '他部', kind: 'announcement', department_id: d2.id } }), 403, 'another department');
    assertStatus(await s.api('POST', '/api/v1/rooms', { token: plain.token, body: { name: 'x', kind: 'announcement', department_id: d1.id } }), 403, 'plain staff');
    assertStatus(await s.api('POST', '/api/v1/admin/users', { token: tok, body: { login: uid('z'), name: 'z', password: 'Zz-9876543210!' } }), 403, 'no system administration');
    const au = assertStatus(await s.api('GET', `/api/v1/admin/audit?action=user.role&target_id=${da.id}`, { token: s.adminToken }), 200).json;
    assert.ok(au.entries.length >= 1, 'the role change is audited');
  });
});

// Every endpoint × every role: no token, staff outside the room, a department administrator,
// the room's member, a system administrator. The list of endpoints is read from the
// operation tables in src/api/*.c, so an endpoint added without a line here fails the test.
describe('permission matrix', () => {
  T('every role against every endpoint', async () => {
    const s = ctx.srv;
    const { readdirSync, readFileSync } = await import('node:fs');
    const { ROOT } = await import('./lib/harness.mjs');
    const ops = [];
    for (const f of readdirSync(`${ROOT}/src/api`).filter((x) => x.endsWith('.c'))) {
      for (const m of readFileSync(`${ROOT}/src/api/${f}`, 'utf8').matchAll(/\{API_([A-Z]+), "(\/api\/v1[^"]*)", ([A-Z_ |0]+)/g)) ops.push({ method: m[1], pattern: m[2] });
    }
    const dept = assertStatus(await s.api('POST', '/api/v1/admin/departments', { token: s.adminToken, body: { name: `行列部${uid('d')}` } }), 201).json;
    const member = await s.makeUser(null, uid('pm'));
    const staff = await s.makeUser(null, uid('po'));
    const da = await s.makeUser(null, uid('pd'), { department_id: dept.id });
    assertStatus(await s.api('PATCH', `/api/v1/admin/users/${da.id}`, { token: s.adminToken, body: { dept_admin: true } }), 200);
    const target = await s.makeUser(null, uid('pt'));
    const account = await s.makeUser(null, uid('pa'), { kind: 'department' });
    const room = await s.makeRoom(member.token, '権限表', []);
    const msg = await s.send(member.token, room.id, '権限表の確認');
    const gone = await s.send(member.token, room.id, '消す予定');
    const purgeMe = await s.send(member.token, room.id, '管理者が消去する');
    const up = await s.api('POST', '/api/v1/files?name=a.txt', { token: member.token, raw: Buffer.from('hello'), headers: { 'content-type': 'text/plain' } });
    const spare = await s.api('POST', '/api/v1/files?name=spare.txt', { token: member.token, raw: Buffer.from('spare'), headers: { 'content-type': 'text/plain' } });
    const rep = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages/${msg.id}/report`, { token: member.token, body: { reason: 'x' } }), 201).json;
    const soon = new Date(Date.now() + 3600e3).toISOString();
    const note = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, { token: member.token, body: { title: '権限表ノート', body: '本文' } }), 201).json;
    const note2 = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, { token: member.token, body: { title: '削除するノート', body: '' } }), 201).json;
    const meeting = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/meetings`, { token: member.token, body: { title: '権限会議', starts_at: soon } }), 201).json;
    const sugg = [0, 1].map(async () => assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes/${note.id}/suggestions`, { token: member.token, body: { title: '提案', body: '提案本文' } }), 201).json);
    const [sg1, sg2] = await Promise.all(sugg);
    const memo = assertStatus(await s.api('POST', '/api/v1/memos', { token: target.token, body: { for_user_id: staff.id, caller_name: '山田', request: 'callback' } }), 201).json;
    let day = 0;
    // kind: public | auth (any signed-in person) | admin | manager (department administrators
    // and administrators) | room (members only)
    const spec = {
      'POST /api/v1/auth/login': ['public', () => ({ login: 'nobody', password: 'x' })],
      'POST /api/v1/auth/logout': ['logout'],
      'GET /api/v1/me': ['auth'], 'PATCH /api/v1/me': ['auth', { title: '主事' }],
      'PUT /api/v1/me/password': ['auth', { current_password: 'wrong-one-123', new_password: 'Another-pass-456!' }],
      'GET /api/v1/me/sessions': ['auth'], 'DELETE /api/v1/me/sessions': ['auth'],
      'DELETE /api/v1/me/sessions/{}': ['auth', undefined, [999999]],
      'POST /api/v1/me/totp': ['auth'], 'POST /api/v1/me/totp/confirm': ['auth', { code: '000000' }],
      'DELETE /api/v1/me/totp': ['auth', { code: '000000' }],
      'GET /api/v1/users': ['auth'], 'GET /api/v1/users/{}': ['auth', undefined, [target.id]],
      'GET /api/v1/departments': ['auth'], 'GET /api/v1/stamps': ['auth'],
      'GET /api/v1/presence': ['auth', undefined, [], `?user_ids=${target.id}`],
      'GET /api/v1/settings': ['auth'], 'GET /api/v1/rooms': ['auth'],
      'POST /api/v1/rooms': ['auth', { name: '新規', member_ids: [] }],
      'POST /api/v1/rooms/direct': ['auth', { user_id: target.id }],
      'POST /api/v1/files': ['auth', undefined, [], '?name=b.txt'],
      'POST /api/v1/reports/screenshot': ['auth', {}],
      'GET /api/v1/admin/users': ['admin'], 'POST /api/v1/admin/users': ['admin', () => ({ login: uid('n'), name: '新人', password: 'Newcomer-9876!' })],
      'PATCH /api/v1/admin/users/{}': ['admin', { title: '係長' }, [target.id]],
      'POST /api/v1/admin/users/{}/lock': ['admin', {}, [target.id]], 'POST /api/v1/admin/users/{}/unlock': ['admin', {}, [target.id]],
      'POST /api/v1/admin/users/{}/password': ['admin', { password: 'Reset-pass-2468!' }, [target.id]],
      'POST /api/v1/admin/users/{}/totp/reset': ['admin', {}, [target.id]],
      'POST /api/v1/admin/users/{}/delegates': ['admin', { user_id: target.id }, [account.id]],
      'DELETE /api/v1/admin/users/{}/delegates/{}': ['admin', undefined, [account.id, target.id]],
      'POST /api/v1/admin/departments': ['admin', () => ({ name: uid('dep') })],
      'GET /api/v1/admin/audit': ['admin'], 'GET /api/v1/admin/reports': ['admin'],
      'PATCH /api/v1/admin/reports/{}': ['admin', { status: 'dismissed' }, [rep.id]],
      'PUT /api/v1/admin/settings': ['admin', { watermark: false }],
      'GET /api/v1/calendar/holidays': ['auth', undefined, [], '?year=2026'], 'GET /api/v1/calendar': ['auth'],
      'PUT /api/v1/admin/office-hours': ['admin', { start: '08:30', end: '17:15', mode: 'off' }],
      'POST /api/v1/admin/calendar/closures': ['admin', () => ({ date: `2099-01-${String(10 + (day++ % 18)).padStart(2, '0')}`, name: '臨時' })],
      'POST /api/v1/admin/calendar/holiday-overrides': ['admin', { date: '2097-01-01', new_date: '2097-01-02' }],
      'POST /api/v1/admin/calendar/working-days': ['admin', () => ({ date: `2098-02-${String(10 + (day++ % 18)).padStart(2, '0')}`, name: '出勤' })],
      'PUT /api/v1/admin/disaster': ['admin', { on: false }],
      'GET /api/v1/admin/rooms': ['admin'], 'GET /api/v1/admin/rooms/{}/messages': ['admin', undefined, [room.id]],
      'POST /api/v1/admin/pii/scan': ['admin', { texts: ['電話 077-561-2345'] }],
      'GET /api/v1/admin/zones': ['admin'], 'PUT /api/v1/admin/zones': ['admin', { zones: [] }],
      'PUT /api/v1/admin/office-hours/departments/{}': ['admin', { mode: 'inherit' }, [dept.id]],
      'GET /api/v1/admin/files/review': ['admin'], 'POST /api/v1/admin/files/{}/release': ['admin', {}, [up.json.id]],
      'PUT /api/v1/admin/rooms/{}/records': ['admin', { classification: 'work', retention_days: null }, [room.id]],
      'POST /api/v1/admin/exports': ['admin', { room_ids: [room.id] }], 'GET /api/v1/admin/exports/{}': ['admin', undefined, [1]],
      'POST /api/v1/admin/messages/{}/purge': ['admin', { reason: '個人情報' }, [purgeMe.id]],
      'GET /api/v1/search': ['auth', undefined, [], '?q=%E6%A8%A9%E9%99%90'],
      'GET /api/v1/me/held': ['auth'], 'DELETE /api/v1/me/held/{}': ['auth', undefined, [999999]],
      'PATCH /api/v1/me/held/{}': ['auth', { text: 'x' }, [999999]], 'POST /api/v1/me/held/{}/send': ['auth', { urgent_reason: 'x' }, [999999]],
      'GET /api/v1/rooms/{}': ['room', undefined, [room.id]], 'PATCH /api/v1/rooms/{}': ['room', { topic: '更新' }, [room.id]],
      'GET /api/v1/rooms/{}/members': ['room', undefined, [room.id]],
      'POST /api/v1/rooms/{}/members': ['room', { user_ids: [target.id] }, [room.id]],
      'GET /api/v1/rooms/{}/messages': ['room', undefined, [room.id], '?after=0'],
      'POST /api/v1/rooms/{}/messages': ['room', () => ({ text: '送信', client_msg_id: uid('c') }), [room.id]],
      'GET /api/v1/rooms/{}/messages/{}': ['room', undefined, [room.id, msg.id]],
      'PATCH /api/v1/rooms/{}/messages/{}': ['room', { text: '編集' }, [room.id, msg.id]],
      'GET /api/v1/rooms/{}/messages/{}/edits': ['room', undefined, [room.id, msg.id]],
      'GET /api/v1/rooms/{}/messages/{}/readers': ['room', undefined, [room.id, msg.id]],
      'POST /api/v1/rooms/{}/messages/{}/report': ['room', { reason: 'x' }, [room.id, msg.id]],
      'POST /api/v1/rooms/{}/read': ['room', { seq: 1 }, [room.id]],
      'GET /api/v1/files/{}': ['room', undefined, [up.json.id]], 'GET /api/v1/files/{}/meta': ['room', undefined, [up.json.id]],
      'GET /api/v1/rooms/{}/notes': ['room', undefined, [room.id]],
      'POST /api/v1/rooms/{}/notes': ['room', () => ({ title: uid('ノート'), body: '本文' }), [room.id]],
      'GET /api/v1/rooms/{}/notes/{}': ['room', undefined, [room.id, note.id]],
      'PUT /api/v1/rooms/{}/notes/{}': ['room', { title: '改訂', body: '改訂本文', base_version: 1 }, [room.id, note.id]],
      'GET /api/v1/rooms/{}/notes/{}/reads': ['room', undefined, [room.id, note.id]],
      'POST /api/v1/rooms/{}/notes/{}/remind': ['room', {}, [room.id, note.id]],
      'GET /api/v1/rooms/{}/notes/{}/versions': ['room', undefined, [room.id, note.id]],
      'GET /api/v1/rooms/{}/notes/{}/versions/{}': ['room', undefined, [room.id, note.id, 1]],
      'GET /api/v1/rooms/{}/notes/{}/pdf': ['room', undefined, [room.id, note.id]],
      'GET /api/v1/rooms/{}/notes/{}/docx': ['room', undefined, [room.id, note.id]],
      'GET /api/v1/rooms/{}/notes/{}/suggestions': ['room', undefined, [room.id, note.id]],
      'POST /api/v1/rooms/{}/notes/{}/suggestions': ['room', { title: '提案', body: '本文' }, [room.id, note.id]],
      'POST /api/v1/rooms/{}/notes/{}/suggestions/{}/accept': ['room', {}, [room.id, note.id, sg1.id]],
      'POST /api/v1/rooms/{}/notes/{}/suggestions/{}/reject': ['room', {}, [room.id, note.id, sg2.id]],
      'GET /api/v1/rooms/{}/meetings': ['room', undefined, [room.id]],
      'POST /api/v1/rooms/{}/meetings': ['room', () => ({ title: uid('会議'), starts_at: soon }), [room.id]],
      'GET /api/v1/rooms/{}/meetings/{}': ['room', undefined, [room.id, meeting.id]],
      'PATCH /api/v1/rooms/{}/meetings/{}': ['room', { place: '第1会議室' }, [room.id, meeting.id]],
      'POST /api/v1/rooms/{}/meetings/{}/minutes-draft': ['room', {}, [room.id, meeting.id]],
      'PUT /api/v1/rooms/{}/messages/{}/tag': ['room', { tag: 'decision' }, [room.id, msg.id]],
      'DELETE /api/v1/rooms/{}/messages/{}/tag': ['room', undefined, [room.id, msg.id]],
      'GET /api/v1/rooms/{}/messages/{}/record': ['room', undefined, [room.id, msg.id]],
      'GET /api/v1/memos': ['auth'], 'GET /api/v1/memos/{}': ['auth', undefined, [memo.id]],
      'POST /api/v1/memos': ['auth', () => ({ for_user_id: target.id, caller_name: '田中', request: 'will_call' })],
      'POST /api/v1/memos/{}/confirm': ['auth', {}, [memo.id]],
      'GET /api/v1/paper-saved': ['manager'],
      'GET /api/v1/push/key': ['auth'], 'DELETE /api/v1/me/push': ['auth'],
      'POST /api/v1/me/push': ['auth', { endpoint: 'https://push.example.jp/x', keys: { p256dh: 'AAAA', auth: 'AAAA' } }],
      'GET /api/v1/files/{}/thumb': ['room', undefined, [up.json.id]],
      // Destructive ones last: a deletion, then the member leaving.
      'DELETE /api/v1/rooms/{}/notes/{}': ['room', undefined, [room.id, note2.id]],
      'DELETE /api/v1/admin/files/{}': ['admin', undefined, [spare.json.id]],
      'DELETE /api/v1/rooms/{}/messages/{}': ['room', undefined, [room.id, gone.id]],
      'DELETE /api/v1/rooms/{}/members/{}': ['room', undefined, [room.id, member.id]],
    };
    const missing = ops.filter((o) => !spec[`${o.method} ${o.pattern}`]).map((o) => `${o.method} ${o.pattern}`);
    assert.deepEqual(missing, [], 'every endpoint of the operation tables has a row in this matrix');
    const roles = { staff: staff.token, deptAdmin: da.token, admin: s.adminToken, member: member.token };
    const problems = [];
    for (const [key, [kind, body, ids = [], query = '']] of Object.entries(spec)) {
      const [method, pattern] = key.split(' ');
      let i = 0;
      const path = pattern.replace(/\{\}/g, () => String(ids[i++])) + query;
      const call = async (token) => {
        const b = typeof body === 'function' ? body() : body;
        if (pattern === '/api/v1/files') return s.api(method, path, { token, raw: Buffer.from('x'), headers: { 'content-type': 'text/plain' } });
        return s.api(method, path, { token, body: b ?? (method === 'GET' || method === 'DELETE' ? undefined : {}) });
      };
      const none = await call(null);
      if (kind === 'public') { if (none.status >= 500 || none.status === 403) problems.push(`${key} public → ${none.status}`); continue; }
      if (none.status !== 401) problems.push(`${key} without token → ${none.status}`);
      if (kind === 'logout') continue;
      const order = kind === 'room' ? ['staff', 'deptAdmin', 'admin', 'member'] : ['staff', 'deptAdmin', 'member', 'admin'];
      for (const role of order) {
        const r = await call(roles[role]);
        const bad = (why) => problems.push(`${key} as ${role} → ${r.status} (${why}) ${r.text?.slice(0, 120)}`);
        if (r.status >= 500) bad('server error');
        else if (r.status === 401) bad('signed in');
        else if (kind === 'admin' && role !== 'admin' && r.status !== 403) bad('administrators only');
        else if (kind === 'admin' && role === 'admin' && r.status === 403) bad('administrator refused');
        else if (kind === 'manager' && (role === 'staff' || role === 'member') && r.status !== 403) bad('managers only');
        else if (kind === 'manager' && (role === 'deptAdmin' || role === 'admin') && r.status === 403) bad('manager refused');
        else if (kind === 'room' && role !== 'member' && r.status !== 404) bad('members only: 404 to others');
        else if (kind === 'room' && role === 'member' && (r.status === 403 || r.status === 404)) bad('member refused');
        else if (kind === 'auth' && r.status === 403) bad('any signed-in person may');
      }
    }
    for (const t of [staff, da, member]) {
      const tok = await s.login(t.login, t.password);
      assertStatus(await s.api('POST', '/api/v1/auth/logout', { token: tok }), 204, 'logout');
    }
    assert.deepEqual(problems, []);
    assert.ok(await s.healthy());
  });
});

describe('metrics', () => {
  T('/metrics is for administrators: Prometheus text with connections and commits', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('mx'));
    const ws = await s.wsConnect(u.token);
    assertStatus(await s.api('GET', '/metrics'), 401, 'no token');
    assertStatus(await s.api('GET', '/metrics', { token: u.token }), 403, 'staff');
    const r = assertStatus(await s.api('GET', '/metrics', { token: s.adminToken }), 200);
    assert.match(r.headers['content-type'], /^text\/plain/);
    const n = Number(/^kairan_connections (\d+)$/m.exec(r.text)?.[1]);
    assert.ok(n >= 1, `a live connection is counted: ${r.text.slice(0, 200)}`);
    assert.ok(Number(/^kairan_writer_jobs_total (\d+)$/m.exec(r.text)?.[1]) > 0, 'commits counted');
    for (const phase of ['run', 'commit', 'done']) {
      const secs = Number(new RegExp(`^kairan_writer_seconds_total\\{phase="${phase}"\\} ([0-9.]+)$`, 'm').exec(r.text)?.[1]);
      assert.ok(secs > 0, `the writer's ${phase} time is counted: ${secs}`);
    }
    await ws.close();
  });
});
