// `kairan admin …` against a running server: lock/unlock reaching live sessions at once,
// password reset, department accounts with delegates (as_user_id, posted_by), and department
// rooms whose members follow the department.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, pwOf, runAdmin, uid, useServer, waitFor } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const admin = async (...args) => {
  const r = await runAdmin(args, { dataDir: ctx.srv.dataDir });
  assert.equal(r.code, 0, `kairan admin ${args.join(' ')} → exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};
const D = `p${process.pid}`; // unique department names per run

describe('users from the command line', () => {
  T('user add, then visible in the directory and able to log in; user list --json', async () => {
    const login = uid('cli');
    await admin('user', 'add', login, '--name', '栗東 三郎', '--kana', 'りっとう さぶろう', '--password', pwOf(login),
      '--department', `${D}部 ${D}課`, '--title', '主任', '--extension', '6123', '--employment', '再任用');
    const tok = await ctx.srv.login(login, pwOf(login));
    const me = assertStatus(await ctx.srv.api('GET', '/api/v1/me', { token: tok }), 200, 'me').json;
    assert.equal(me.name, '栗東 三郎');
    assert.equal(me.department, `${D}部 ${D}課`);
    assert.equal(me.employment, '再任用');
    assert.equal(me.extension, '6123');
    // Bad input: a clear message, a non-zero exit, and no user.
    const badEmployment = uid('bad');
    for (const [args, says] of [[['user', 'add', 'bad login!', '--name', '誤り'], /login/], [['user', 'add', badEmployment, '--name', '誤り', '--employment', '臨時'], /employment/]]) {
      const r = await runAdmin(args, { dataDir: ctx.srv.dataDir });
      assert.notEqual(r.code, 0, `kairan admin ${args.join(' ')} must fail`);
      assert.match(r.stderr, says);
    }
    const list = await admin('user', 'list', '--json');
    const parsed = JSON.parse(list.stdout);
    const users = Array.isArray(parsed) ? parsed : parsed.users;
    assert.ok(users.some((u) => u.login === login), 'listed');
    assert.ok(!users.some((u) => u.login === badEmployment || u.login === 'bad login!'), 'refused input created nobody');
    assert.ok(!list.stdout.includes(pwOf(login)), 'no passwords in the list');
    const dup = await runAdmin(['user', 'add', login, '--name', 'x', '--password', pwOf(login)], { dataDir: ctx.srv.dataDir });
    assert.notEqual(dup.code, 0, 'a duplicate login is refused');
    const weak = await runAdmin(['user', 'add', uid('w'), '--name', 'x', '--password', 'short'], { dataDir: ctx.srv.dataDir });
    assert.notEqual(weak.code, 0, 'a weak password is refused');
  });

  T('lock: sockets get session.revoked and close 4001 at once, tokens stop working, login → 403 account_locked; unlock', async () => {
    const u = await ctx.srv.makeUser(null, uid('lk'));
    const t2 = await ctx.srv.login(u.login, u.password);
    const ws = await ctx.srv.wsConnect(u.token);
    await admin('user', 'lock', u.login);
    await ws.next((f) => f.type === 'session.revoked', 3000);
    assert.equal((await ws.closed).code, 4001);
    assertError(await ctx.srv.api('GET', '/api/v1/me', { token: u.token }), 401, 'unauthorized', 'token after lock');
    assertError(await ctx.srv.api('GET', '/api/v1/me', { token: t2 }), 401, 'unauthorized', 'second token after lock');
    assertError(await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 403, 'account_locked', 'login while locked');
    const wrong = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: 'Wrong-pass-123' } });
    assertError(wrong, 401, 'unauthorized', 'a wrong password for a locked account does not reveal the lock');
    const g = await ctx.srv.api('GET', `/api/v1/users/${u.id}`, { token: ctx.srv.adminToken });
    assert.equal(g.json.locked, true);
    await admin('user', 'unlock', u.login);
    await ctx.srv.login(u.login, u.password);
    assertError(await ctx.srv.api('GET', '/api/v1/me', { token: u.token }), 401, 'unauthorized', 'old sessions stay revoked after unlock');
  });

  T('reset-password: the old password stops working, the new one works', async () => {
    const u = await ctx.srv.makeUser(null, uid('rp'));
    const fresh = 'Reset-' + u.login + '-77!x';
    await admin('user', 'reset-password', u.login, '--password', fresh);
    assertError(await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 401, 'unauthorized', 'old password');
    const r = assertStatus(await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: fresh } }), 200, 'new password');
    assert.equal(typeof r.json.must_change_password, 'boolean');
  });

  T('disable: the user cannot log in', async () => {
    const u = await ctx.srv.makeUser(null, uid('ds'));
    await admin('user', 'update', u.login, '--disable');
    const r = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } });
    assert.ok(r.status === 401 || r.status === 403, `login of a disabled user → ${r.status}`);
    assertError(await ctx.srv.api('GET', '/api/v1/me', { token: u.token }), 401, 'unauthorized', 'session of a disabled user');
  });
});

describe('department accounts and delegates', () => {
  let dept, staff, other, room;
  before(async () => {
    const dl = uid('dept');
    await admin('user', 'add', dl, '--name', `${D}課（代表）`, '--password', pwOf(dl), '--department-account');
    staff = await ctx.srv.makeUser(null, uid('dg'), { name: '代理 一' });
    other = await ctx.srv.makeUser(null, uid('nd'), { name: '代理でない 二' });
    await admin('delegate', 'add', dl, staff.login);
    const found = (await ctx.srv.api('GET', `/api/v1/users?q=${encodeURIComponent(dl)}`, { token: ctx.srv.adminToken })).json.users;
    dept = found.find((u) => u.login === dl);
    assert.ok(dept, 'the department account is in the directory');
    assert.equal(dept.kind, 'department');
    room = await ctx.srv.makeRoom(staff.token, '窓口', [other.id, dept.id]);
  });

  T('GET /me lists delegate_for; a delegate posts as the department account with posted_by', async () => {
    const me = (await ctx.srv.api('GET', '/api/v1/me', { token: staff.token })).json;
    assert.deepEqual(me.delegate_for.map(String), [String(dept.id)]);
    const r = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: staff.token, body: { text: '課としての回答です', client_msg_id: uid('c'), as_user_id: dept.id } }), 201, 'post as');
    assert.equal(r.json.sender.id, dept.id);
    assert.equal(r.json.posted_by.id, staff.id);
    assert.equal(r.json.posted_by.name, '代理 一');
    const g = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}/messages/${r.json.id}`, { token: staff.token }), 200, 'get');
    assert.equal(JSON.stringify(r.json), JSON.stringify(g.json), 'the answer is the message as GET shows it');
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: other.token, body: { text: 'なりすまし', client_msg_id: uid('c'), as_user_id: dept.id } }), 403, 'forbidden', 'a non-delegate');
    assertError(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${r.json.id}`, { token: other.token }), 403, 'forbidden', 'delete by another member');
    const d = assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${r.json.id}`, { token: staff.token }), 200, 'the delegate who posted deletes');
    assert.equal(d.json.text, null);
    const plain = await ctx.srv.send(staff.token, room.id, '個人として');
    assert.equal(plain.sender.id, staff.id);
    assert.equal(plain.posted_by, null);
  });

  T('delegate remove: posting as the account is refused afterwards', async () => {
    await admin('delegate', 'remove', dept.login, staff.login);
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: staff.token, body: { text: 'もう代理ではない', client_msg_id: uid('c'), as_user_id: dept.id } }), 403, 'forbidden', 'after removal');
  });
});

describe('department rooms', () => {
  T('members follow the department and its sub-departments; manual membership changes → 409', async () => {
    const l1 = uid('dr'), l2 = uid('dr'), l3 = uid('dr'), l4 = uid('dr');
    await admin('user', 'add', l1, '--name', '部 一', '--password', pwOf(l1), '--department', `${D}局 ${D}室`);
    await admin('user', 'add', l2, '--name', '部 二', '--password', pwOf(l2), '--department', `${D}局 ${D}室 ${D}班`);
    await admin('user', 'add', l3, '--name', '部外 三', '--password', pwOf(l3), '--department', `${D}別局`);
    const deps = (await ctx.srv.api('GET', '/api/v1/departments', { token: ctx.srv.adminToken })).json.departments;
    const office = deps.find((d) => d.path === `${D}局 ${D}室`);
    assert.ok(office, 'department exists');
    const tok = await ctx.srv.login(l1, pwOf(l1));
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: tok, body: { name: 'x', kind: 'department', department_id: office.id, member_ids: [] } }), 403, 'forbidden', 'non-administrator');
    const r = assertStatus(await ctx.srv.api('POST', '/api/v1/rooms', { token: ctx.srv.adminToken, body: { name: `${D}室 連絡`, kind: 'department', department_id: office.id, member_ids: [] } }), 201, 'department room').json;
    assert.equal(r.kind, 'department');
    assert.equal(r.department_id, office.id);
    const logins = async () => (await ctx.srv.api('GET', `/api/v1/rooms/${r.id}/members`, { token: ctx.srv.adminToken })).json.members.map((m) => m.login);
    const ms = await logins();
    assert.ok(ms.includes(l1) && ms.includes(l2), `staff of the department and below are members: ${ms}`);
    assert.ok(!ms.includes(l3), 'staff of another department are not');
    assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${r.id}`, { token: tok }), 200, 'a member sees it');
    const t3 = await ctx.srv.login(l3, pwOf(l3));
    const u3 = (await ctx.srv.api('GET', '/api/v1/me', { token: t3 })).json;
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${r.id}/members`, { token: ctx.srv.adminToken, body: { user_ids: [u3.id] } }), 409, 'conflict', 'manual add');
    // Someone joins the department: they become a member.
    await admin('user', 'add', l4, '--name', '異動 四', '--password', pwOf(l4), '--department', `${D}別局`);
    await admin('user', 'update', l4, '--department', `${D}局 ${D}室`);
    await waitFor(async () => (await logins()).includes(l4), 3000, 'the transferred staff member to join the department room');
    // …and leaves it when transferred out.
    await admin('user', 'update', l1, '--department', `${D}別局`);
    await waitFor(async () => !(await logins()).includes(l1), 3000, 'the transferred-out member to leave the department room');
  });
});

describe('choosing the store', () => {
  T('a store that is neither sqlite nor postgresql, or a database that cannot be reached, is a clear error', async () => {
    const dataDir = ctx.srv.dataDir;
    const bad = await runAdmin(['user', 'list'], { dataDir, env: { KAIRAN_STORE: 'mysql' } });
    assert.equal(bad.code, 2, 'a configuration error');
    assert.match(bad.stderr, /store must be sqlite, postgresql or a postgresql:\/\/ URI/);
    const noDsn = await runAdmin(['user', 'list'], { dataDir, env: { KAIRAN_STORE: 'postgresql', KAIRAN_STORE_DSN: '' } });
    assert.equal(noDsn.code, 2);
    assert.match(noDsn.stderr, /needs store_dsn/);
    const secret = 'Sekret-pw-9931';
    const away = await runAdmin(['user', 'list'], { dataDir, env: { KAIRAN_STORE: `postgresql://kairan:${secret}@127.0.0.1:1/none?connect_timeout=2` } });
    assert.equal(away.code, 1);
    assert.match(away.stderr, /PostgreSQL: .*(connect|refused)/i);
    assert.ok(!away.stderr.includes(secret) && !away.stdout.includes(secret), 'the password in the connection string is never printed');
  });
});
