// Security: the hash-chained audit log (and `kairan admin audit verify` catching an altered
// row), abuse and screenshot reports, department administrators, signing out other devices,
// and a permission matrix that tries every role against every endpoint.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, runAdmin, uid, useServer } from './lib/harness.mjs';

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
    const db = `${s.dataDir}/kairan.db`;
    assert.throws(() => execFileSync('sqlite3', [db, "UPDATE audit SET action = 'x' WHERE id = 2"], { stdio: 'pipe' }),
      /append-only/, 'UPDATE refused by the trigger');
    // …and a change made behind its back is caught by the chain.
    execFileSync('sqlite3', [db, "DROP TRIGGER audit_no_update; UPDATE audit SET detail = '{\"forged\":1}' WHERE id = 3;"], { stdio: 'pipe' });
    const bad = await runAdmin(['audit', 'verify'], { dataDir: s.dataDir });
    assert.equal(bad.code, 1, 'verify exits non-zero');
    assert.match(bad.stderr, /entry 3\b/, `names the entry: ${bad.stderr}`);
    // Put it back in a way the chain cannot accept either: removing a row breaks it too.
    execFileSync('sqlite3', [db, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 3;"], { stdio: 'pipe' });
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

// Every endpoint × {no token, staff non-member, staff member, administrator}. Expected: 401
// without a token; admin endpoints 403 for staff; room-scoped endpoints 404 for non-members;
// and never a 5xx.
describe('permission matrix', () => {
  T('every role against every endpoint', async () => {
    const s = ctx.srv;
    const member = await s.makeUser(null, uid('pm'));
    const other = await s.makeUser(null, uid('po'));
    const room = await s.makeRoom(member.token, '権限表', []);
    const msg = await s.send(member.token, room.id, '権限表の確認');
    const up = await s.api('POST', '/api/v1/files?name=a.txt', { token: member.token, raw: Buffer.from('hello'), headers: { 'content-type': 'text/plain' } });
    const fileId = up.json?.id ?? 1;
    const R = room.id, M = msg.id, U = member.id;
    const ops = [
      // [method, path, body, kind] kind: pub | auth | admin | room
      ['GET', '/api/v1/me', null, 'auth'], ['PATCH', '/api/v1/me', { title: '主事' }, 'auth'],
      ['GET', '/api/v1/me/sessions', null, 'auth'], ['GET', '/api/v1/users?q=a', null, 'auth'],
      ['GET', `/api/v1/users/${U}`, null, 'auth'], ['GET', '/api/v1/departments', null, 'auth'],
      ['GET', '/api/v1/stamps', null, 'auth'], ['GET', `/api/v1/presence?user_ids=${U}`, null, 'auth'],
      ['GET', '/api/v1/rooms', null, 'auth'], ['POST', '/api/v1/reports/screenshot', {}, 'auth'],
      ['GET', '/api/v1/admin/users', null, 'admin'], ['GET', '/api/v1/admin/audit', null, 'admin'],
      ['GET', '/api/v1/admin/reports', null, 'admin'], ['POST', `/api/v1/admin/users/${U}/unlock`, {}, 'admin'],
      ['PATCH', `/api/v1/admin/users/${U}`, { title: '係長' }, 'admin'],
      ['POST', '/api/v1/admin/departments', { name: uid('dep') }, 'admin'],
      ['GET', `/api/v1/rooms/${R}`, null, 'room'], ['GET', `/api/v1/rooms/${R}/members`, null, 'room'],
      ['GET', `/api/v1/rooms/${R}/messages?after=0`, null, 'room'], ['GET', `/api/v1/rooms/${R}/messages/${M}`, null, 'room'],
      ['GET', `/api/v1/rooms/${R}/messages/${M}/readers`, null, 'room'], ['GET', `/api/v1/rooms/${R}/messages/${M}/edits`, null, 'room'],
      ['POST', `/api/v1/rooms/${R}/read`, { seq: 1 }, 'room'], ['GET', `/api/v1/files/${fileId}/meta`, null, 'room'],
      ['GET', `/api/v1/files/${fileId}`, null, 'room'],
    ];
    const problems = [];
    for (const [method, path, body, kind] of ops) {
      const call = (token) => s.api(method, path, { token, body: body ?? undefined });
      const none = await call(null);
      if (none.status !== 401) problems.push(`${method} ${path} without token → ${none.status}`);
      const staff = await call(other.token);
      const want = kind === 'admin' ? [403] : kind === 'room' ? [403, 404] : [200, 201, 204];
      if (!want.includes(staff.status)) problems.push(`${method} ${path} as staff non-member → ${staff.status}, want ${want}`);
      if (kind === 'room') {
        const mem = await call(member.token);
        if (mem.status >= 300) problems.push(`${method} ${path} as member → ${mem.status}`);
      }
      const adm = await call(s.adminToken);
      if (adm.status >= 500) problems.push(`${method} ${path} as admin → ${adm.status}`);
      if (kind === 'admin' && adm.status >= 300) problems.push(`${method} ${path} as admin → ${adm.status}`);
    }
    assert.deepEqual(problems, []);
    assert.ok(await s.healthy());
  });
});
