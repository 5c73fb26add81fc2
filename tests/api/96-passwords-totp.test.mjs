// Password expiry and history, the TOTP second factor (and its requirement for
// administrators), and per-person rate limits on sends and uploads.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Server, assertError, assertStatus, dbExec, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });

function base32decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, buf = 0;
  const out = [];
  for (const ch of s.toUpperCase()) {
    buf = (buf << 5) | A.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((buf >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}
// RFC 6238 (HMAC-SHA1, 6 digits, 30 s), computed independently of the server.
function totp(secret, t = Date.now(), step = 0) {
  const counter = Math.floor(t / 1000 / 30) + step;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32decode(secret)).update(msg).digest();
  const off = mac[19] & 0xf;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

describe('passwords', () => {
  T('a password older than password_expiry_days forces a change at the next login; the warning comes first', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('ex'));
    const me = assertStatus(await s.api('GET', '/api/v1/me', { token: u.token }), 200).json;
    assert.match(me.password_expires_at, /\+09:00$/, 'expiry shown (default 180 days)');
    assert.equal(me.password_expiry_warning, false);
    const day = 86400000;
    // Age the password in the database itself: 170 days → warning; 200 days → expired.
    dbExec(s.dataDir, `UPDATE users SET password_changed_at = ${Date.now() - 170 * day} WHERE id = ${u.id}`);
    const warn = assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 200).json;
    assert.equal(warn.password_expiry_warning, true);
    assert.equal(warn.must_change_password, false);
    dbExec(s.dataDir, `UPDATE users SET password_changed_at = ${Date.now() - 200 * day} WHERE id = ${u.id}`);
    const exp = assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 200).json;
    assert.equal(exp.must_change_password, true);
    assertError(await s.api('GET', '/api/v1/rooms', { token: exp.token }), 403, 'password_change_required');
    const next = 'Nx-' + uid('p') + '-4821!';
    assertStatus(await s.api('PUT', '/api/v1/me/password', { token: exp.token, body: { current_password: u.password, new_password: next } }), 204);
    assertStatus(await s.api('GET', '/api/v1/rooms', { token: exp.token }), 200, 'usable again after the change');
  });

  T('the last passwords cannot be reused', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('hi'));
    const p2 = 'Second-' + uid('p') + '-77!';
    assertStatus(await s.api('PUT', '/api/v1/me/password', { token: u.token, body: { current_password: u.password, new_password: p2 } }), 204);
    assertError(await s.api('PUT', '/api/v1/me/password', { token: u.token, body: { current_password: p2, new_password: u.password } }), 400, 'invalid_parameter', 'the previous password');
    assertError(await s.api('PUT', '/api/v1/me/password', { token: u.token, body: { current_password: p2, new_password: p2 } }), 400, 'invalid_parameter', 'the current password');
    const audit = assertStatus(await s.api('GET', `/api/v1/admin/audit?action=user.password_change&actor_id=${u.id}`, { token: s.adminToken }), 200).json;
    assert.equal(audit.entries.length, 1);
  });
});

describe('TOTP', () => {
  T('enrol, confirm, then login needs the code; a code is not accepted twice; reset by an administrator', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('tp'));
    const begin = assertStatus(await s.api('POST', '/api/v1/me/totp', { token: u.token }), 200).json;
    assert.match(begin.secret, /^[A-Z2-7]{32}$/);
    assert.match(begin.uri, /^otpauth:\/\/totp\/Kairan:/);
    // Not in force until confirmed.
    assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 200, 'pending secret does not apply');
    assertError(await s.api('POST', '/api/v1/me/totp/confirm', { token: u.token, body: { code: '000000' === totp(begin.secret) ? '111111' : '000000' } }), 400, 'invalid_parameter');
    const code = totp(begin.secret);
    assertStatus(await s.api('POST', '/api/v1/me/totp/confirm', { token: u.token, body: { code } }), 204);
    assertError(await s.api('POST', '/api/v1/me/totp', { token: u.token }), 409, 'conflict', 'a new secret would turn TOTP off without a code');
    assertError(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 401, 'totp_required');
    assertError(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password, totp: code } }), 401, 'unauthorized', 'the same code again (replay)');
    // The next step's code is within the allowed drift.
    const ok = assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password, totp: totp(begin.secret, Date.now(), 1) } }), 200).json;
    assert.ok(ok.token);
    const me = assertStatus(await s.api('GET', '/api/v1/me', { token: ok.token }), 200).json;
    assert.equal(me.totp_enabled, true);
    assertStatus(await s.api('POST', `/api/v1/admin/users/${u.id}/totp/reset`, { token: s.adminToken }), 204);
    assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password } }), 200, 'after reset the password alone works');
  });

  T('with totp_required_for_admins an administrator without TOTP may only enrol', async () => {
    const s = new Server({ env: { KAIRAN_TOTP_REQUIRED_FOR_ADMINS: '1' } });
    ctx.more.push(s);
    await s.start();
    try {
      const r = assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: 'admin', password: s.adminPassword } }), 200).json;
      assert.equal(r.totp_setup_required, true);
      assertError(await s.api('GET', '/api/v1/admin/users', { token: r.token }), 403, 'totp_setup_required');
      const begin = assertStatus(await s.api('POST', '/api/v1/me/totp', { token: r.token }), 200).json;
      assertStatus(await s.api('POST', '/api/v1/me/totp/confirm', { token: r.token, body: { code: totp(begin.secret) } }), 204);
      assertStatus(await s.api('GET', '/api/v1/admin/users', { token: r.token }), 200, 'enrolled: allowed');
    } finally {
      await s.stop();
    }
  });
});

describe('rate limits', () => {
  T('sends and uploads beyond the per-person allowance get 429 rate_limited with Retry-After', async () => {
    const s = new Server({ env: { KAIRAN_RATE_SENDS_PER_MINUTE: '20', KAIRAN_RATE_UPLOADS_PER_MINUTE: '5' } });
    ctx.more.push(s);
    await s.start();
    try {
      await s.adminLogin();
      const u = await s.makeUser(null, uid('rl'));
      const other = await s.makeUser(null, uid('ro'));
      const room = await s.makeRoom(u.token, '流量', [other.id]);
      let limited = null;
      for (let i = 0; i < 40 && !limited; i++) {
        const r = await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: `m${i}`, client_msg_id: uid('c') } });
        if (r.status === 429) limited = r; else assertStatus(r, 201);
      }
      assert.ok(limited, 'limited within 40 sends at 20/minute');
      assertError(limited, 429, 'rate_limited');
      assert.match(limited.headers['retry-after'] || '', /^\d+$/);
      assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: other.token, body: { text: 'x', client_msg_id: uid('c') } }), 201, 'others are not affected');
      let upLimited = null;
      for (let i = 0; i < 10 && !upLimited; i++) {
        const r = await s.api('POST', `/api/v1/files?name=f${i}.txt`, { token: u.token, raw: Buffer.from(`file ${i}`), headers: { 'content-type': 'text/plain' } });
        if (r.status === 429) upLimited = r; else assertStatus(r, 201);
      }
      assert.ok(upLimited, 'uploads limited within 10 at 5/minute');
    } finally {
      await s.stop();
    }
  });
});
