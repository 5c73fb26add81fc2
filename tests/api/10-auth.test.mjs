// Authentication: login, tokens, the session cookie with its CSRF rule, logout, sessions,
// password changes and the 401 on every /api/v1 endpoint without credentials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Server, assertError, assertStatus, isError, useServer, uid } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const cookieOf = (r) => {
  const sc = [].concat(r.headers['set-cookie'] || []);
  const c = sc.find((x) => /^kairan_session=/.test(x));
  return c ? { full: c, pair: c.split(';')[0] } : null;
};

describe('login', () => {
  T('admin logs in with the configured password: 200 {token, user}', async () => {
    const r = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: 'admin', password: ctx.srv.adminPassword } });
    assertStatus(r, 200, 'login');
    assert.equal(typeof r.json.token, 'string');
    assert.ok(r.json.token.length >= 20, 'token looks random and long');
    assert.equal(r.json.user.login, 'admin');
    assert.equal(r.json.user.is_admin, true);
    assert.notEqual(r.json.user.id, undefined);
    assert.equal(r.json.must_change_password, false);
    assert.ok(!('password' in r.json.user) && !JSON.stringify(r.json).includes(ctx.srv.adminPassword), 'no password in the answer');
  });

  T('wrong password and unknown login get the same 401', async () => {
    const u = await ctx.srv.makeUser(null, uid('la'));
    const wrong = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: 'Not-the-password-1!' } });
    const unknown = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: uid('nobody'), password: 'Not-the-password-1!' } });
    assertError(wrong, 401, 'unauthorized', 'wrong password');
    assertError(unknown, 401, 'unauthorized', 'unknown login');
    assert.deepEqual(unknown.json, wrong.json, 'the same answer for unknown logins');
    assert.equal(cookieOf(wrong), null, 'no session cookie on a failed login');
  });

  T('login with a body that is not JSON → 400 invalid_json; wrong field types → 400', async () => {
    assertError(await ctx.srv.api('POST', '/api/v1/auth/login', { raw: '{"login": "admin", ', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json', 'truncated JSON');
    assertError(await ctx.srv.api('POST', '/api/v1/auth/login', { raw: 'login=admin', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json', 'form body labelled JSON');
    assertError(await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: 12345, password: 'x1234567890' } }), 400, ['invalid_parameter', 'invalid_json'], 'numeric login');
    assertError(await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: 'admin' } }), 400, ['invalid_parameter', 'invalid_json'], 'missing password');
    assert.ok(await ctx.srv.healthy());
  });

  T('error messages: Japanese by default, English with Accept-Language: en', async () => {
    const body = { login: uid('nob'), password: 'Whatever-123456' };
    const ja = await ctx.srv.api('POST', '/api/v1/auth/login', { body });
    const en = await ctx.srv.api('POST', '/api/v1/auth/login', { body, headers: { 'accept-language': 'en-US,en;q=0.9' } });
    assertError(ja, 401, 'unauthorized');
    assertError(en, 401, 'unauthorized');
    assert.match(ja.json.error.message, /[\u3040-\u30ff\u4e00-\u9fff]/, 'Japanese message by default');
    assert.doesNotMatch(en.json.error.message, /[\u3040-\u30ff\u4e00-\u9fff]/, 'English message for en');
    assert.ok(!ja.text.includes(body.password) && !en.text.includes(body.password), 'never echoes the password');
  });
});

describe('tokens, me and logout', () => {
  T('GET /me answers the user with must_change_password and delegate_for', async () => {
    const u = await ctx.srv.makeUser(null, uid('me'), { name: '草津 太郎' });
    const r = assertStatus(await ctx.srv.api('GET', '/api/v1/me', { token: u.token }), 200, 'GET /me');
    assert.equal(r.json.id, u.id);
    assert.equal(r.json.login, u.login);
    assert.equal(r.json.name, '草津 太郎');
    assert.equal(r.json.must_change_password, false);
    assert.ok(Array.isArray(r.json.delegate_for));
    assert.equal(r.json.is_admin, false);
  });

  T('logout revokes the token (204, then 401) and leaves other sessions alone', async () => {
    const u = await ctx.srv.makeUser(null, uid('lo'));
    const t2 = await ctx.srv.login(u.login, u.password);
    const r = await ctx.srv.api('POST', '/api/v1/auth/logout', { token: u.token });
    assertStatus(r, 204, 'logout');
    const c = cookieOf(r);
    assert.ok(c, 'logout clears the cookie with a Set-Cookie');
    assert.match(c.full, /Max-Age=0|Expires=Thu, 01 Jan 1970/i, 'the cleared cookie expires now');
    assertError(await ctx.srv.api('GET', '/api/v1/me', { token: u.token }), 401, 'unauthorized', 'revoked token');
    assertStatus(await ctx.srv.api('GET', '/api/v1/me', { token: t2 }), 200, 'other session');
  });

  T('a bad or malformed token → 401', async () => {
    for (const h of ['Bearer nope', 'Bearer ', 'Basic YWRtaW46eA==', 'Bearer ' + 'a'.repeat(5000), 'bearer']) {
      assertError(await ctx.srv.api('GET', '/api/v1/me', { headers: { authorization: h } }), 401, 'unauthorized', `Authorization: ${h.slice(0, 20)}`);
    }
  });

  T('no token → 401 on every /api/v1 endpoint except login', async () => {
    const probes = [
      ['GET', '/api/v1/me'], ['PATCH', '/api/v1/me', {}], ['PUT', '/api/v1/me/password', {}],
      ['GET', '/api/v1/me/sessions'], ['DELETE', '/api/v1/me/sessions/1'], ['POST', '/api/v1/auth/logout'],
      ['GET', '/api/v1/users'], ['GET', '/api/v1/users/1'], ['GET', '/api/v1/departments'],
      ['GET', '/api/v1/stamps'], ['GET', '/api/v1/presence?user_ids=1'],
      ['GET', '/api/v1/rooms'], ['POST', '/api/v1/rooms', { name: 'x', member_ids: [] }],
      ['POST', '/api/v1/rooms/direct', { user_id: 1 }], ['GET', '/api/v1/rooms/1'],
      ['PATCH', '/api/v1/rooms/1', { name: 'x' }], ['GET', '/api/v1/rooms/1/members'],
      ['POST', '/api/v1/rooms/1/members', { user_ids: [1] }], ['DELETE', '/api/v1/rooms/1/members/1'],
      ['GET', '/api/v1/rooms/1/messages?after=0'], ['POST', '/api/v1/rooms/1/messages', { text: 'x', client_msg_id: 'x' }],
      ['GET', '/api/v1/rooms/1/messages/1'], ['PATCH', '/api/v1/rooms/1/messages/1', { text: 'x' }],
      ['DELETE', '/api/v1/rooms/1/messages/1'], ['GET', '/api/v1/rooms/1/messages/1/edits'],
      ['GET', '/api/v1/rooms/1/messages/1/readers'], ['POST', '/api/v1/rooms/1/read', { seq: 1 }],
      ['POST', '/api/v1/files?name=a.txt'], ['GET', '/api/v1/files/1'], ['GET', '/api/v1/files/1/meta'],
      ['POST', '/api/v1/admin/users', { login: 'zz', name: 'zz', password: 'Zz-0123456789' }],
    ];
    const bad = [];
    for (const [m, p, body] of probes) {
      const r = await ctx.srv.api(m, p, m === 'POST' && p.startsWith('/api/v1/files') ? { raw: 'abc' } : { body });
      if (r.status !== 401 || !isError(r.json, 'unauthorized')) bad.push(`${m} ${p} → ${r.status} ${r.text.slice(0, 80)}`);
    }
    assert.deepEqual(bad, [], 'every endpoint answers 401 unauthorized without credentials');
    const ws = await ctx.srv.wsConnect(null, { waitHello: false }).then((c) => { c.close(); return null; }, (e) => e);
    assert.ok(ws && ws.status === 401, `WebSocket without credentials is refused with 401 (got ${ws && (ws.status || ws.message)})`);
  });
});

describe('session cookie and CSRF', () => {
  T('login sets an HttpOnly SameSite=Strict cookie that authenticates GET', async () => {
    const u = await ctx.srv.makeUser(null, uid('ck'));
    const r = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } });
    const c = cookieOf(r);
    assert.ok(c, 'a kairan_session cookie is set');
    assert.match(c.full, /;\s*HttpOnly/i);
    assert.match(c.full, /;\s*SameSite=Strict/i);
    assert.match(c.full, /;\s*Path=\//i);
    assert.doesNotMatch(c.full, /;\s*Secure/i, 'not Secure for an http public_url');
    const me = assertStatus(await ctx.srv.api('GET', '/api/v1/me', { cookie: c.pair }), 200, 'GET /me with the cookie');
    assert.equal(me.json.id, u.id);
    assertStatus(await ctx.srv.api('GET', '/api/v1/rooms', { cookie: c.pair }), 200, 'GET /rooms with the cookie');
  });

  T('cookie-authenticated writes need X-Kairan-Request: 1 and a public Origin', async () => {
    const u = await ctx.srv.makeUser(null, uid('cs'));
    const r = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } });
    const cookie = cookieOf(r).pair;
    const body = { name: 'CSRF確認', member_ids: [] };
    const before = (await ctx.srv.api('GET', '/api/v1/rooms', { token: u.token })).json.rooms.length;
    const noHdr = await ctx.srv.api('POST', '/api/v1/rooms', { cookie, body });
    assertError(noHdr, 403, undefined, 'cookie write without X-Kairan-Request');
    const wrongVal = await ctx.srv.api('POST', '/api/v1/rooms', { cookie, body, headers: { 'x-kairan-request': '0' } });
    assert.ok(wrongVal.status === 403 || wrongVal.status === 201, `X-Kairan-Request: 0 → ${wrongVal.status}`);
    const foreign = await ctx.srv.api('POST', '/api/v1/rooms', { cookie, body, headers: { 'x-kairan-request': '1', origin: 'http://evil.example' } });
    assertError(foreign, 403, undefined, 'cookie write from a foreign Origin');
    const form = await ctx.srv.api('POST', '/api/v1/rooms', { cookie, raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.ok([403, 415].includes(form.status), `a cross-site form post is refused (got ${form.status})`);
    const after1 = (await ctx.srv.api('GET', '/api/v1/rooms', { token: u.token })).json.rooms.length;
    assert.equal(after1, before + (wrongVal.status === 201 ? 1 : 0), 'refused writes created nothing');
    const ok = await ctx.srv.api('POST', '/api/v1/rooms', { cookie, body, headers: { 'x-kairan-request': '1' } });
    assertStatus(ok, 201, 'cookie write with X-Kairan-Request: 1');
    const okOrigin = await ctx.srv.api('POST', '/api/v1/rooms', { cookie, body, headers: { 'x-kairan-request': '1', origin: ctx.srv.base } });
    assertStatus(okOrigin, 201, 'cookie write with the listen address as Origin');
    const bearer = await ctx.srv.api('POST', '/api/v1/rooms', { token: u.token, body });
    assertStatus(bearer, 201, 'Bearer writes need no header');
    const lo = await ctx.srv.api('POST', '/api/v1/auth/logout', { cookie });
    assertError(lo, 403, undefined, 'cookie logout without the header is a write too');
    assertStatus(await ctx.srv.api('POST', '/api/v1/auth/logout', { cookie, headers: { 'x-kairan-request': '1' } }), 204, 'cookie logout');
    assertError(await ctx.srv.api('GET', '/api/v1/me', { cookie }), 401, 'unauthorized', 'cookie after logout');
  });
});

describe('sessions', () => {
  T('list own sessions, revoke one: 204, its token 401, its socket gets session.revoked + 4001', async () => {
    const u = await ctx.srv.makeUser(null, uid('ss'));
    const other = await ctx.srv.makeUser(null, uid('so'));
    const t2 = await ctx.srv.login(u.login, u.password);
    const list = assertStatus(await ctx.srv.api('GET', '/api/v1/me/sessions', { token: u.token, headers: { 'user-agent': 'kairan-test/1' } }), 200, 'sessions');
    assert.ok(list.json.sessions.length >= 2, 'two sessions');
    const cur = list.json.sessions.filter((s) => s.current === true);
    assert.equal(cur.length, 1, 'exactly one is current');
    for (const s of list.json.sessions) for (const k of ['id', 'created_at', 'last_seen_at', 'current']) assert.ok(k in s, `session has ${k}`);
    assert.ok(!JSON.stringify(list.json).includes(u.token) && !JSON.stringify(list.json).includes(t2), 'tokens are not listed');
    const victim = list.json.sessions.find((s) => s.current !== true);
    const ws = await ctx.srv.wsConnect(t2);
    // Someone else cannot revoke it.
    assertError(await ctx.srv.api('DELETE', `/api/v1/me/sessions/${victim.id}`, { token: other.token }), 404, 'not_found', "another user's session");
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/me/sessions/${victim.id}`, { token: u.token }), 204, 'revoke');
    await ws.next((f) => f.type === 'session.revoked', 3000);
    const ci = await ws.closed;
    assert.equal(ci.code, 4001, 'socket closed with 4001');
    assertError(await ctx.srv.api('GET', '/api/v1/me', { token: t2 }), 401, 'unauthorized', 'revoked session');
    assertStatus(await ctx.srv.api('GET', '/api/v1/me', { token: u.token }), 200, 'current session still works');
    assertError(await ctx.srv.api('DELETE', '/api/v1/me/sessions/987654321', { token: u.token }), 404, 'not_found', 'unknown session');
    const again = await ctx.srv.api('GET', '/api/v1/me/sessions', { token: u.token });
    assert.ok(!again.json.sessions.some((s) => s.id === victim.id), 'revoked session no longer listed');
  });
});

describe('passwords', () => {
  T('PUT /me/password: policy, wrong current, success revokes other sessions', async () => {
    const u = await ctx.srv.makeUser(null, uid('pwchange'));
    const t2 = await ctx.srv.login(u.login, u.password);
    const put = (token, current_password, new_password) => ctx.srv.api('PUT', '/api/v1/me/password', { token, body: { current_password, new_password } });
    // 400, not 401: the session is valid, and a 401 would make clients sign out.
    assertError(await put(u.token, 'Wrong-current-77', 'Fresh-Passw0rd-91'), 400, 'invalid_parameter', 'wrong current password');
    assertError(await put(u.token, u.password, 'Short-1!'), 400, 'invalid_parameter', 'under 10 characters');
    assertError(await put(u.token, u.password, u.login.toUpperCase()), 400, 'invalid_parameter', 'login in upper case');
    assertError(await put(u.token, u.password, '1234567890'), 400, 'invalid_parameter', 'common password 1234567890');
    assertError(await put(u.token, u.password, 'password123'), 400, 'invalid_parameter', 'common password password123');
    assertStatus(await ctx.srv.api('GET', '/api/v1/me', { token: t2 }), 200, 'refused changes revoked nothing');
    await ctx.srv.login(u.login, u.password); // refused changes kept the old password
    const fresh = 'Fresh-' + u.login + '-Passw0rd';
    assertStatus(await put(u.token, u.password, fresh), 204, 'change');
    assertError(await ctx.srv.api('GET', '/api/v1/me', { token: t2 }), 401, 'unauthorized', 'other session after the change');
    assertStatus(await ctx.srv.api('GET', '/api/v1/me', { token: u.token }), 200, 'current session after the change');
    assertError(await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 401, 'unauthorized', 'old password');
    await ctx.srv.login(u.login, fresh);
  });

  T('must_change_password: only GET /me, PUT /me/password and logout work until changed', async () => {
    const login = uid('mc');
    await ctx.srv.makeUser(null, login, { must_change_password: true });
    const r = assertStatus(await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login, password: 'Kz7-' + login + '-58203!q' } }), 200, 'login');
    assert.equal(r.json.must_change_password, true);
    const tok = r.json.token;
    assertStatus(await ctx.srv.api('GET', '/api/v1/me', { token: tok }), 200, 'GET /me');
    assertError(await ctx.srv.api('GET', '/api/v1/rooms', { token: tok }), 403, 'password_change_required', 'GET /rooms');
    assertError(await ctx.srv.api('POST', '/api/v1/rooms', { token: tok, body: { name: 'x', member_ids: [] } }), 403, 'password_change_required', 'POST /rooms');
    assertStatus(await ctx.srv.api('PUT', '/api/v1/me/password', { token: tok, body: { current_password: 'Kz7-' + login + '-58203!q', new_password: 'Changed-' + login + '-42!' } }), 204, 'change');
    const me = await ctx.srv.api('GET', '/api/v1/me', { token: tok });
    assert.equal(me.json.must_change_password, false);
    assertStatus(await ctx.srv.api('GET', '/api/v1/rooms', { token: tok }), 200, 'GET /rooms after the change');
  });

  T('admin create refuses a password equal to the login or too short', async () => {
    const l = uid('pp');
    assertError(await ctx.srv.api('POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { login: l + 'longlogin', name: 'x', password: l + 'longlogin' } }), 400, 'invalid_parameter', 'password = login');
    assertError(await ctx.srv.api('POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { login: l, name: 'x', password: 'short' } }), 400, 'invalid_parameter', 'short password');
    const ok = await ctx.srv.api('POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { login: l + 'ab', name: 'x', password: 'Kz7-' + l + 'ab' + '-58203!q' } });
    assertStatus(ok, 201, 'a password containing the login is fine');
  });
});

describe('public_url and login throttling (separate servers)', () => {
  const extra = [];
  after(async () => { for (const s of extra) await s.stop(); });

  T('an https public_url makes the cookie Secure and its origin the accepted one', async () => {
    const s = new Server({ env: { KAIRAN_PUBLIC_URL: 'https://chat.city.example.lg.jp' } });
    extra.push(s);
    ctx.more.push(s);
    await s.start();
    const r = assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: 'admin', password: s.adminPassword } }), 200, 'login');
    const c = cookieOf(r);
    assert.match(c.full, /;\s*Secure/i, 'Secure cookie behind https');
    const body = { name: 'origin check', member_ids: [] };
    assertStatus(await s.api('POST', '/api/v1/rooms', { cookie: c.pair, body, headers: { 'x-kairan-request': '1', origin: 'https://chat.city.example.lg.jp' } }), 201, 'the public origin');
    assertError(await s.api('POST', '/api/v1/rooms', { cookie: c.pair, body, headers: { 'x-kairan-request': '1', origin: 'http://chat.city.example.lg.jp' } }), 403, undefined, 'same host over http is another origin');
    const ws = await s.wsConnect(r.json.token, { origin: 'https://chat.city.example.lg.jp' });
    await ws.close();
    const bad = await s.wsConnect(r.json.token, { origin: 'https://chat.city.example.lg.jp.evil.example', waitHello: false }).then((x) => { x.close(); return null; }, (e) => e);
    assert.equal(bad?.status, 403, 'a look-alike origin is refused');
  });

  T('repeated wrong passwords are throttled: 429 rate_limited with Retry-After', async () => {
    const s = new Server();
    extra.push(s);
    ctx.more.push(s);
    await s.start();
    await s.adminLogin();
    const u = await s.makeUser(null, uid('rl'));
    let limited = null;
    for (let i = 0; i < 50 && !limited; i++) {
      const r = await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: `Wrong-guess-${i}-xyz` } });
      if (r.status === 429) limited = r;
      else assertError(r, 401, 'unauthorized', `attempt ${i}`);
    }
    assert.ok(limited, 'throttled within 50 wrong attempts');
    assertError(limited, 429, 'rate_limited');
    assert.match(limited.headers['retry-after'] || '', /^\d+$/, 'Retry-After in seconds');
    const right = await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } });
    assert.ok(right.status === 429, `while throttled even the right password is refused (got ${right.status})`);
    assert.ok(await s.healthy());
  });
});
