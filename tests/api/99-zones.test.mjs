// Network zones (R17): the LGWAN side and the Internet side get their own rules — allowed or
// not, downloads or view-only, TOTP required — placed by address, through a trusted proxy's
// X-Forwarded-For; each session shows the zone it signed in from.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const lgwan = { 'x-forwarded-for': '10.1.2.3' };
const internet = { 'x-forwarded-for': '192.0.2.10, 203.0.113.5' };
const blocked = { 'x-forwarded-for': '198.51.100.7' };

describe('zones', () => {
  T('rules per zone: sign-in, TOTP, downloads, a forbidden range; an untrusted peer\'s header is ignored', async () => {
    const s = ctx.srv;
    const put = (body) => s.api('PUT', '/api/v1/admin/zones', { token: s.adminToken, body });
    assertError(await put({ zones: [{ name: 'x', cidrs: ['10.0.0.0/33'] }] }), 400, 'invalid_parameter');
    assertError(await put({ trusted_proxies: ['not-an-address'], zones: [] }), 400, 'invalid_parameter');
    const u = await s.makeUser(null, uid('zn'));
    const room = await s.makeRoom(u.token, 'ゾーン', []);
    const pdf = assertStatus(await s.api('POST', '/api/v1/files?name=a.pdf', { token: u.token, raw: Buffer.from('%PDF-1.4 zone test'), headers: { 'content-type': 'application/pdf' } }), 201).json;
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d4944415478da63f8cfc0f01f0005000201' + 'a1a5b0bf0000000049454e44ae426082', 'hex');
    const img = assertStatus(await s.api('POST', '/api/v1/files?name=a.png', { token: u.token, raw: png, headers: { 'content-type': 'image/png' } }), 201).json;
    await s.send(u.token, room.id, '添付', { file_ids: [pdf.id, img.id] });
    assertStatus(await put({
      trusted_proxies: ['127.0.0.1/32'],
      zones: [{ name: 'LGWAN', cidrs: ['10.0.0.0/8'] }, { name: 'blocked', cidrs: ['198.51.100.0/24'], allowed: false }],
      default: { name: 'internet', download: false, totp_required: true },
    }), 200);
    const login = (headers) => s.api('POST', '/api/v1/auth/login', { body: { login: u.login, password: u.password }, headers });
    assertError(await login(internet), 403, 'zone_totp_required');
    assertError(await login(blocked), 403, 'zone_forbidden');
    const ok = assertStatus(await login(lgwan), 200).json;
    const sessions = assertStatus(await s.api('GET', '/api/v1/me/sessions', { token: ok.token, headers: lgwan }), 200).json.sessions;
    assert.equal(sessions.find((x) => x.current).zone, 'LGWAN');
    assertStatus(await s.api('GET', `/api/v1/files/${pdf.id}`, { token: ok.token, headers: lgwan }), 200, 'downloads on the LGWAN side');
    assertError(await s.api('GET', `/api/v1/files/${pdf.id}`, { token: ok.token, headers: internet }), 403, 'download_forbidden');
    assertStatus(await s.api('GET', `/api/v1/files/${img.id}`, { token: ok.token, headers: internet }), 200, 'images are shown (view-only)');
    assertError(await s.api('GET', '/api/v1/rooms', { token: ok.token, headers: blocked }), 403, 'zone_forbidden');
    // Without a trusted proxy the header is the client's own word, and is ignored.
    assertStatus(await put({ trusted_proxies: [], zones: [{ name: 'blocked', cidrs: ['198.51.100.0/24'], allowed: false }] }), 200);
    assertStatus(await s.api('GET', '/api/v1/rooms', { token: ok.token, headers: blocked }), 200);
    const au = assertStatus(await s.api('GET', `/api/v1/admin/audit?action=auth.login&actor_id=${u.id}`, { token: s.adminToken }), 200).json;
    assert.ok(au.entries.some((e) => e.detail.zone === 'LGWAN'), 'the zone is in the audit log');
    assert.equal(au.entries.find((e) => e.detail.zone === 'LGWAN').address, '10.1.2.3', 'the forwarded address, not the proxy\'s');
    // Every audited action records the client's address the same way, not only the login.
    assertStatus(await put({ trusted_proxies: ['127.0.0.1/32'], zones: [] }), 200);
    assertStatus(await s.api('POST', '/api/v1/auth/logout', { token: ok.token, headers: lgwan }), 204);
    const out = assertStatus(await s.api('GET', `/api/v1/admin/audit?action=auth.logout&actor_id=${u.id}`, { token: s.adminToken }), 200).json;
    assert.equal(out.entries[0].address, '10.1.2.3');
    assertStatus(await put({ zones: [] }), 200);
  });
});
