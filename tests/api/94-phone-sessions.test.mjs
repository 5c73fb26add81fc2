// Staff phones (R19): the city's idle timeout and absolute lifetime for phone sessions, driven
// by the test clock (KAIRAN_TEST_CLOCK_OFFSET across a restart), not by waiting. Office PCs keep
// the general session rules; an ended phone session is revoked and audited; bad settings are
// refused naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it }, { env: { KAIRAN_TEST: '1' } });
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36';
const PC = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

async function loginAs(s, u, ua) {
  const r = assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password }, headers: { 'user-agent': ua } }), 200);
  return r.json.token;
}
const me = (s, token, ua = ANDROID) => s.api('GET', '/api/v1/me', { token, headers: { 'user-agent': ua } });
async function shiftClock(s, seconds) {
  s.extraEnv = { ...s.extraEnv, KAIRAN_TEST_CLOCK_OFFSET: String(seconds) };
  await s.restart();
  await s.adminLogin();
}

describe('phone sessions', () => {
  T('the defaults are in the settings every client reads; bad values are refused naming the field', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('ph'));
    const set = assertStatus(await s.api('GET', '/api/v1/settings', { token: u.token }), 200).json;
    assert.equal(set.phone_idle_minutes, 30);
    assert.equal(set.phone_max_hours, 12);
    assert.equal(set.phone_lock_minutes, 5);
    for (const [k, v] of [['phone_idle_minutes', 2], ['phone_idle_minutes', 1441], ['phone_max_hours', -1], ['phone_lock_minutes', '5'], ['phone_max_hours', 1.5]]) {
      const r = assertError(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { [k]: v } }), 400, 'invalid_parameter', `${k}=${v}`);
      assert.match(r.json.error.message, new RegExp(k));
    }
    assertError(await s.api('PUT', '/api/v1/admin/settings', { token: u.token, body: { phone_idle_minutes: 0 } }), 403, 'forbidden', 'administrators only');
    const ok = assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_lock_minutes: 0, phone_idle_minutes: 45 } }), 200).json;
    assert.equal(ok.phone_lock_minutes, 0);
    assert.equal(ok.phone_idle_minutes, 45);
    assert.equal(ok.phone_max_hours, 12, 'the others keep their values');
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_lock_minutes: 5, phone_idle_minutes: 30 } }), 200);
  });

  T('idle: a phone left 31 minutes is signed out (401 session_expired, revoked, audited); a PC is not', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('ph'));
    const phone = await loginAs(s, u, ANDROID), pc = await loginAs(s, u, PC);
    assertStatus(await me(s, phone), 200, 'a fresh phone session works');
    await shiftClock(s, 31 * 60);
    const r = assertError(await me(s, phone), 401, 'session_expired');
    assert.match(r.json.error.message, /サインアウト/);
    assertStatus(await me(s, pc, PC), 200, 'the office PC keeps its session');
    // Revoked, not just refused: raising the limit later does not bring it back.
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_idle_minutes: 0 } }), 200);
    assertError(await me(s, phone), 401, 'unauthorized', 'the ended session stays ended');
    const audit = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=session.expire', { token: s.adminToken }), 200).json;
    const entries = audit.entries || audit.audit || audit.items || [];
    assert.ok(JSON.stringify(entries).includes('idle'), 'the expiry is in the audit log with its reason: ' + JSON.stringify(audit).slice(0, 300));
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_idle_minutes: 30 } }), 200);
  });

  T('a phone in use within the idle limit stays signed in', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('ph'));
    const phone = await loginAs(s, u, ANDROID);
    await shiftClock(s, 31 * 60 + 20 * 60); // 20 minutes later on the shifted clock than the last test
    // the session was created under the previous offset; it is now 20 minutes idle at most
    assertStatus(await me(s, phone), 200);
  });

  T('absolute lifetime: past phone_max_hours after login a phone is signed out even in use', async () => {
    const s = ctx.srv;
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_idle_minutes: 0, phone_max_hours: 1 } }), 200);
    const u = await s.makeUser(null, uid('ph'));
    const phone = await loginAs(s, u, ANDROID), pc = await loginAs(s, u, PC);
    const base = Number(s.extraEnv.KAIRAN_TEST_CLOCK_OFFSET || 0);
    await shiftClock(s, base + 50 * 60);
    assertStatus(await me(s, phone), 200, 'within the hour');
    await shiftClock(s, base + 61 * 60);
    assertError(await me(s, phone), 401, 'session_expired');
    assertStatus(await me(s, pc, PC), 200, 'PCs are not limited by phone_max_hours');
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_idle_minutes: 30, phone_max_hours: 12 } }), 200);
  });
});
