// Staff phones (R19): the city's idle timeout and absolute lifetime for phone sessions, driven
// by the test clock (KAIRAN_TEST_CLOCK_OFFSET across a restart), not by waiting. A request right
// after the restart meets the check in the router (401 session_expired); the once-a-minute
// sweep, whose first pass comes 5 s after start, ends the phones that make no request. Office PCs keep
// the general session rules; an ended phone session is revoked and audited; bad settings are
// refused naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { assertError, assertStatus, uid, useServer, waitFor } from './lib/harness.mjs';

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
    assert.equal(set.phone_watermark, true, 'the watermark is on for phones by default (R18)');
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

  T('the offline copy of messages (R17) is off by default; its hours and count are checked', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('ph'));
    const set = assertStatus(await s.api('GET', '/api/v1/settings', { token: u.token }), 200).json;
    assert.equal(set.phone_offline_cache_hours, 0, 'no message is kept on a phone unless the city allows it');
    assert.equal(set.phone_offline_cache_messages, 50);
    for (const [k, v] of [['phone_offline_cache_hours', -1], ['phone_offline_cache_hours', 73], ['phone_offline_cache_hours', '24'],
      ['phone_offline_cache_hours', 1.5], ['phone_offline_cache_hours', true], ['phone_offline_cache_hours', null],
      ['phone_offline_cache_messages', 0], ['phone_offline_cache_messages', 9], ['phone_offline_cache_messages', 201], ['phone_offline_cache_messages', '50']]) {
      const r = assertError(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { [k]: v } }), 400, 'invalid_parameter', `${k}=${v}`);
      assert.match(r.json.error.message, new RegExp(k));
    }
    assertError(await s.api('PUT', '/api/v1/admin/settings', { token: u.token, body: { phone_offline_cache_hours: 24 } }), 403, 'forbidden', 'administrators only');
    const ok = assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_offline_cache_hours: 72, phone_offline_cache_messages: 10 } }), 200).json;
    assert.equal(ok.phone_offline_cache_hours, 72);
    assert.equal(ok.phone_offline_cache_messages, 10);
    const seen = assertStatus(await s.api('GET', '/api/v1/settings', { token: u.token }), 200).json;
    assert.equal(seen.phone_offline_cache_hours, 72, 'every client reads it');
    assert.equal(seen.phone_offline_cache_messages, 10);
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { phone_offline_cache_hours: 0, phone_offline_cache_messages: 50 } }), 200);
    assert.equal(assertStatus(await s.api('GET', '/api/v1/settings', { token: u.token }), 200).json.phone_offline_cache_hours, 0, 'turned off again');
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

// A PNG of w×h with a colour gradient (made here, so the test needs no image tools).
function png(w, h) {
  const crcT = new Int32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c; });
  const crc = (b) => { let c = -1; for (const x of b) c = crcT[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ -1) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const o = y * (w * 3 + 1) + 1 + x * 3; raw[o] = x & 255; raw[o + 1] = y & 255; raw[o + 2] = (x ^ y) & 255; }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// Width and height from a JPEG's start-of-frame marker.
function jpegSize(b) {
  for (let i = 2; i < b.length - 9;) {
    if (b[i] !== 0xff) return null;
    const m = b[i + 1], len = b.readUInt16BE(i + 2);
    if (m >= 0xc0 && m <= 0xc3) return { h: b.readUInt16BE(i + 5), w: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

describe('phone sessions without requests', () => {
  T('a phone that makes no request is ended by the sweep, so its socket stops too', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('sw'));
    await loginAs(s, u, ANDROID);
    const pc = await loginAs(s, u, PC);
    const list = async () => assertStatus(await s.api('GET', '/api/v1/me/sessions', { token: pc, headers: { 'user-agent': PC } }), 200).json.sessions;
    const phones = async () => (await list()).filter((x) => /Android/.test(x.user_agent)).length;
    assert.equal(await phones(), 1, 'the phone is signed in');
    const others = (await list()).length - 1;
    const base = Number(s.extraEnv.KAIRAN_TEST_CLOCK_OFFSET || 0);
    await shiftClock(s, base + 31 * 60);
    // No request with the phone's token: the sweep (at start, then once a minute) ends it.
    await waitFor(async () => (await phones()) === 0, 15000, 'the sweep to end the idle phone session');
    assert.equal((await list()).length, others, 'the PC sessions stay');
    const audit = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=session.expire', { token: s.adminToken }), 200).json;
    assert.ok(JSON.stringify(audit.entries).includes('sweep'), 'audited as swept');
  });
});

describe('thumbnails (R22)', () => {
  T('an image comes as a JPEG of at most 480 px made on the server; a small one as itself; others refused', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('th')), other = await s.makeUser(null, uid('th'));
    const up = async (name, type, raw) => assertStatus(await s.api('POST', '/api/v1/files?name=' + name, { token: u.token, raw, headers: { 'content-type': type } }), 201).json;
    const bigPng = png(1600, 1000);
    const big = await up('photo.png', 'image/png', bigPng);
    const t1 = assertStatus(await s.api('GET', `/api/v1/files/${big.id}/thumb`, { token: u.token }), 200);
    assert.equal(t1.headers['content-type'], 'image/jpeg');
    assert.deepEqual(jpegSize(t1.body), { w: 480, h: 300 }, 'the longest side is 480, the aspect kept');
    assert.ok(t1.body.length < bigPng.length / 4, `much smaller: ${t1.body.length} of ${bigPng.length}`);
    const t2 = assertStatus(await s.api('GET', `/api/v1/files/${big.id}/thumb`, { token: u.token }), 200);
    assert.ok(t2.body.equals(t1.body), 'made once, then served as stored');
    const smallPng = png(120, 80);
    const small = await up('icon.png', 'image/png', smallPng);
    const t3 = assertStatus(await s.api('GET', `/api/v1/files/${small.id}/thumb`, { token: u.token }), 200);
    assert.equal(t3.headers['content-type'], 'image/png');
    assert.ok(t3.body.equals(smallPng), 'a small image is its own thumbnail');
    const txt = await up('memo.txt', 'text/plain', Buffer.from('メモ'));
    assertError(await s.api('GET', `/api/v1/files/${txt.id}/thumb`, { token: u.token }), 415, 'not_an_image');
    assertError(await s.api('GET', `/api/v1/files/${big.id}/thumb`, { token: other.token }), 404, 'not_found', 'only those who may read the file');
  });
});
