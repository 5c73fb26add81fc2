// Users and the directory: administrator-only creation, duplicate logins, search by name,
// reading (kana, hiragana or katakana), department and extension, own profile and 不在.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, runAdmin, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const search = async (token, q, extra = '') => {
  const r = await ctx.srv.api('GET', `/api/v1/users?q=${encodeURIComponent(q)}${extra}`, { token });
  assertStatus(r, 200, `search ${q}`);
  assert.ok(Array.isArray(r.json.users) && typeof r.json.has_more === 'boolean', 'answer {users, has_more}');
  return r.json.users;
};
const logins = (users) => users.map((u) => u.login).sort();

describe('administrators create users', () => {
  T('201 with the user object, duplicate 409, non-administrator 403, missing fields 400', async () => {
    const login = uid('cr');
    const r = await ctx.srv.api('POST', '/api/v1/admin/users', {
      token: ctx.srv.adminToken,
      body: { login, name: '栗東 次郎', password: 'Kz7-' + login + '-58203!q', kana: 'りっとう じろう', title: '主査', extension: '5501', work_phone: '077-553-0001' },
    });
    assertStatus(r, 201, 'create');
    assert.notEqual(r.json.id, undefined);
    assert.equal(r.json.login, login);
    assert.equal(r.json.name, '栗東 次郎');
    assert.equal(r.json.kana, 'りっとう じろう');
    assert.equal(r.json.title, '主査');
    assert.equal(r.json.extension, '5501');
    assert.equal(r.json.work_phone, '077-553-0001');
    assert.equal(r.json.kind, 'staff');
    assert.equal(r.json.is_admin, false);
    assert.equal(r.json.locked, false);
    assert.ok(!('password' in r.json) && !r.text.includes('58203'), 'no password or hash in the answer');
    const dup = await ctx.srv.api('POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { login, name: '別人', password: 'Other-pass-1234' } });
    assertError(dup, 409, 'conflict', 'duplicate login');
    const u = await ctx.srv.makeUser(null, uid('na'));
    const l2 = uid('x');
    assertError(await ctx.srv.api('POST', '/api/v1/admin/users', { token: u.token, body: { login: l2, name: 'x', password: 'Kz7-' + l2 + '-58203!q' } }), 403, 'forbidden', 'non-administrator');
    assertError(await ctx.srv.api('POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { name: 'no login', password: 'Some-pass-98765' } }), 400, 'invalid_parameter', 'missing login');
    assertError(await ctx.srv.api('POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { login: uid('nn'), password: 'Some-pass-98765' } }), 400, 'invalid_parameter', 'missing name');
    assertError(await ctx.srv.api('POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { login: '', name: 'x', password: 'Some-pass-98765' } }), 400, 'invalid_parameter', 'empty login');
    const g = assertStatus(await ctx.srv.api('GET', `/api/v1/users/${r.json.id}`, { token: u.token }), 200, 'GET /users/{id}');
    assert.equal(g.json.login, login);
    assert.equal(g.json.presence, 'offline');
    assertError(await ctx.srv.api('GET', '/api/v1/users/987654321', { token: u.token }), 404, 'not_found', 'unknown user');
  });
});

describe('directory search', () => {
  let tok, yamada, yamaki, kato;
  before(async () => {
    const tag = uid('d');
    // Distinctive readings so that other tests' users never match.
    yamada = await ctx.srv.makeUser(null, uid('ya'), { name: '蛸薬師 太郎', kana: 'たこやくし たろう', extension: '7391', title: '係長' });
    yamaki = await ctx.srv.makeUser(null, uid('yk'), { name: '蛸薬師 花子', kana: 'たこやくし はなこ', extension: '7392', title: '主事' });
    kato = await ctx.srv.makeUser(null, uid('ka'), { name: '加藤 ' + tag, kana: 'かとう えいじ', extension: '7393', title: '主任' });
    tok = yamada.token;
  });

  T('by name (each word must match)', async () => {
    assert.deepEqual(logins(await search(tok, '蛸薬師')), [yamada.login, yamaki.login].sort());
    assert.deepEqual(logins(await search(tok, '蛸薬師 花子')), [yamaki.login]);
    assert.deepEqual(logins(await search(tok, '蛸薬師 存在しない')), []);
  });

  T('by reading in hiragana and in katakana (kana-insensitive)', async () => {
    assert.deepEqual(logins(await search(tok, 'たこやくし')), [yamada.login, yamaki.login].sort());
    assert.deepEqual(logins(await search(tok, 'タコヤクシ')), [yamada.login, yamaki.login].sort(), 'katakana query finds hiragana reading');
    assert.deepEqual(logins(await search(tok, 'タコヤクシ はなこ')), [yamaki.login]);
  });

  T('by extension and login', async () => {
    assert.deepEqual(logins(await search(tok, '7393')), [kato.login]);
    assert.deepEqual(logins(await search(tok, kato.login)), [kato.login]);
    assert.deepEqual(logins(await search(tok, kato.login.toUpperCase())), [kato.login], 'case-insensitive');
  });

  T('limit and has_more; limit out of range → 400', async () => {
    const r = assertStatus(await ctx.srv.api('GET', `/api/v1/users?q=${encodeURIComponent('たこやくし')}&limit=1`, { token: tok }), 200, 'limit=1');
    assert.equal(r.json.users.length, 1);
    assert.equal(r.json.has_more, true);
    const r2 = assertStatus(await ctx.srv.api('GET', `/api/v1/users?q=${encodeURIComponent('たこやくし')}&limit=1&offset=1`, { token: tok }), 200, 'offset=1');
    assert.equal(r2.json.users.length, 1);
    assert.equal(r2.json.has_more, false);
    assert.notEqual(r2.json.users[0].id, r.json.users[0].id, 'offset moves on');
    for (const l of ['0', '201', '-1', 'abc']) {
      assertError(await ctx.srv.api('GET', `/api/v1/users?q=x&limit=${l}`, { token: tok }), 400, 'invalid_parameter', `limit=${l}`);
    }
  });

  T('by department (imported with kairan admin import-csv while the server runs)', async () => {
    const csv = join(ctx.srv.dataDir, '..', `dir-${process.pid}.csv`);
    writeFileSync(csv, '職員番号,氏名,ふりがな,所属,役職,内線,勤務先電話,雇用区分\n' +
      `d${process.pid}1,湖南 一,こなん はじめ,環境部 廃棄物対策課 収集係,係長,8811,077-000-0001,正規\n` +
      `d${process.pid}2,湖南 二,こなん じろう,環境部 廃棄物対策課,課長,8812,077-000-0002,正規\n`);
    const res = await runAdmin(['import-csv', csv], { dataDir: ctx.srv.dataDir });
    assert.equal(res.code, 0, `import-csv exit code (stderr: ${res.stderr})`);
    const deps = assertStatus(await ctx.srv.api('GET', '/api/v1/departments', { token: tok }), 200, 'departments').json.departments;
    const leaf = deps.find((d) => d.path === '環境部 廃棄物対策課 収集係');
    const mid = deps.find((d) => d.path === '環境部 廃棄物対策課');
    assert.ok(leaf && mid, `departments created: ${JSON.stringify(deps).slice(0, 400)}`);
    assert.equal(leaf.parent_id, mid.id, '係 is under 課');
    assert.equal(leaf.name, '収集係');
    assert.deepEqual(logins(await search(tok, '収集係')), [`d${process.pid}1`], 'search by department name');
    const byId = assertStatus(await ctx.srv.api('GET', `/api/v1/users?department_id=${leaf.id}`, { token: tok }), 200, 'department_id');
    assert.deepEqual(logins(byId.json.users), [`d${process.pid}1`]);
    const u = (await search(tok, '8811'))[0];
    assert.equal(u.department, '環境部 廃棄物対策課 収集係');
    assert.equal(u.department_id, leaf.id);
    assert.equal(u.kana, 'こなん はじめ');
  });
});

describe('own profile', () => {
  T('PATCH /me sets title, extension, work_phone, status_text; limits are enforced', async () => {
    const u = await ctx.srv.makeUser(null, uid('pf'));
    const r = assertStatus(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { title: '課長補佐', extension: '2345', work_phone: '077-111-2222', status_text: '会議中（15時まで）' } }), 200, 'PATCH /me');
    assert.equal(r.json.title, '課長補佐');
    assert.equal(r.json.extension, '2345');
    assert.equal(r.json.work_phone, '077-111-2222');
    assert.equal(r.json.status_text, '会議中（15時まで）');
    const g = await ctx.srv.api('GET', `/api/v1/users/${u.id}`, { token: ctx.srv.adminToken });
    assert.equal(g.json.status_text, '会議中（15時まで）');
    assertError(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { status_text: 'あ'.repeat(101) } }), 400, 'invalid_parameter', '101 characters');
    assertStatus(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { status_text: 'あ'.repeat(100) } }), 200, '100 characters (code points, not bytes)');
    assertError(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { title: 5 } }), 400, 'invalid_parameter', 'number title');
    const me = await ctx.srv.api('GET', '/api/v1/me', { token: u.token });
    assert.equal(me.json.title, '課長補佐', 'refused PATCH changed nothing');
    // Fields that are not one's own to set are not settable here.
    const esc = await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { is_admin: true } });
    assert.ok(esc.status === 400 || esc.status === 200, `is_admin in PATCH /me → ${esc.status}`);
    assert.equal((await ctx.srv.api('GET', '/api/v1/me', { token: u.token })).json.is_admin, false, 'PATCH /me never grants admin');
  });

  T('不在 (absent): set with until and note, presence becomes absent, cleared by null', async () => {
    const u = await ctx.srv.makeUser(null, uid('ab'));
    const until = new Date(Date.now() + 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
    const r = assertStatus(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { absent: { until, note: '出張（東京）' } } }), 200, 'set absent');
    assert.equal(r.json.absent.note, '出張（東京）');
    assert.equal(Date.parse(r.json.absent.until), Date.parse(until), 'until is the same instant');
    assert.match(r.json.absent.until, /\+09:00$/, 'times come back in Japan time');
    const g = await ctx.srv.api('GET', `/api/v1/users/${u.id}`, { token: ctx.srv.adminToken });
    assert.equal(g.json.presence, 'absent');
    const p = assertStatus(await ctx.srv.api('GET', `/api/v1/presence?user_ids=${u.id}`, { token: ctx.srv.adminToken }), 200, 'presence');
    assert.equal(p.json.presence[String(u.id)], 'absent');
    assertError(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { absent: { until: 'tomorrow', note: 'x' } } }), 400, 'invalid_parameter', 'bad time');
    assertError(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { absent: { until, note: 'x'.repeat(201) } } }), 400, 'invalid_parameter', 'note over 200');
    const c = assertStatus(await ctx.srv.api('PATCH', '/api/v1/me', { token: u.token, body: { absent: null } }), 200, 'clear absent');
    assert.equal(c.json.absent, null);
    const g2 = await ctx.srv.api('GET', `/api/v1/users/${u.id}`, { token: ctx.srv.adminToken });
    assert.equal(g2.json.presence, 'offline');
  });

  T('stamps and departments are listed', async () => {
    const s = assertStatus(await ctx.srv.api('GET', '/api/v1/stamps', { token: ctx.srv.adminToken }), 200, 'stamps');
    assert.ok(s.json.stamps.length > 0, 'the product ships stamps');
    for (const st of s.json.stamps) assert.ok(typeof st.id === 'string' && typeof st.label === 'string');
    const svg = await ctx.srv.api('GET', `/stamps/${s.json.stamps[0].id}.svg`);
    assertStatus(svg, 200, 'stamp image');
    assert.match(svg.headers['content-type'], /image\/svg\+xml/);
  });
});
