// Web Push (R22): off by default; when the city turns it on, a closed phone gets a push for a
// new message — encrypted per RFC 8291 (decrypted here with the subscription's own keys), signed
// with the server's VAPID key (verified here), and never with the message text. A connected
// member and a locked account get none. A local HTTP server stands in for the push service.
import assert from 'node:assert/strict';
import { createECDH, createHmac, createDecipheriv, createPublicKey, randomBytes, verify } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, uid, useServer, waitFor } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it }, { env: { KAIRAN_TEST: '1' } });
const b64u = (b) => Buffer.from(b).toString('base64url');
const pushes = new Map(); // path → [{headers, body}]
let service, port;

before(async () => {
  service = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (!pushes.has(req.url)) pushes.set(req.url, []);
      pushes.get(req.url).push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201);
      res.end();
    });
  });
  await new Promise((ok) => service.listen(0, '127.0.0.1', ok));
  port = service.address().port;
});
after(() => service?.close());

const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
function decrypt(sub, body) {
  const salt = body.subarray(0, 16), idlen = body[20], asPublic = body.subarray(21, 21 + idlen), ct = body.subarray(21 + idlen);
  const secret = sub.ecdh.computeSecret(asPublic);
  const ikm = hmac(hmac(sub.auth, secret), Buffer.concat([Buffer.from('WebPush: info\0'), sub.ecdh.getPublicKey(), asPublic, Buffer.from([1])])).subarray(0, 32);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'binary')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'binary')).subarray(0, 12);
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ct.subarray(ct.length - 16));
  const plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  assert.equal(plain[plain.length - 1], 2, 'the last-record delimiter');
  return plain.subarray(0, plain.length - 1).toString('utf8');
}

function verifyVapid(header, publicKey, audience) {
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(header);
  assert.ok(m, header);
  assert.equal(m[2], publicKey, 'k is the key the browser subscribed with');
  const [h, c, sig] = m[1].split('.');
  const claims = JSON.parse(Buffer.from(c, 'base64url'));
  assert.equal(claims.aud, audience);
  assert.ok(claims.exp > Date.now() / 1000 && claims.exp < Date.now() / 1000 + 24 * 3600);
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) }, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')), 'the ES256 signature');
}

describe('web push', () => {
  T('off by default; on, a closed phone gets an encrypted push without the text; connected or locked members get none', async () => {
    const s = ctx.srv;
    const a = await s.makeUser(null, uid('pa')), b = await s.makeUser(null, uid('pb')), c = await s.makeUser(null, uid('pc'));
    const room = await s.makeRoom(a.token, 'プッシュ', [b.id, c.id]);
    assertError(await s.api('GET', '/api/v1/push/key', { token: b.token }), 404, 'push_disabled');
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { web_push: true } }), 200);
    const key = assertStatus(await s.api('GET', '/api/v1/push/key', { token: b.token }), 200).json.public_key;
    assert.equal(Buffer.from(key, 'base64url').length, 65);
    assert.equal(assertStatus(await s.api('GET', '/api/v1/push/key', { token: c.token }), 200).json.public_key, key, 'one key');
    const subscribe = async (u, path) => {
      const sub = { ecdh: createECDH('prime256v1'), auth: randomBytes(16), path };
      sub.ecdh.generateKeys();
      assertStatus(await s.api('POST', '/api/v1/me/push', { token: u.token, body: { endpoint: `http://127.0.0.1:${port}${path}`, keys: { p256dh: b64u(sub.ecdh.getPublicKey()), auth: b64u(sub.auth) } } }), 204);
      return sub;
    };
    const subB = await subscribe(b, '/push/b'), subC = await subscribe(c, '/push/c');
    assertError(await s.api('POST', '/api/v1/me/push', { token: b.token, body: { endpoint: 'http://example.org/x', keys: { p256dh: b64u(subB.ecdh.getPublicKey()), auth: b64u(subB.auth) } } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/me/push', { token: b.token, body: { endpoint: `http://127.0.0.1:${port}/x`, keys: { p256dh: 'AAAA', auth: b64u(subB.auth) } } }), 400, 'invalid_parameter');
    // Both closed: both get one push, decrypted with their own keys; the text is not in it.
    const secret = '来週の議会答弁の件です';
    await s.send(a.token, room.id, secret);
    await waitFor(() => pushes.get('/push/c')?.length === 1 && pushes.get('/push/b')?.length === 1, 10000, 'two pushes');
    for (const [sub, path] of [[subB, '/push/b'], [subC, '/push/c']]) {
      const p = pushes.get(path)[0];
      assert.equal(p.headers['content-encoding'], 'aes128gcm');
      verifyVapid(p.headers.authorization, key, `http://127.0.0.1:${port}`);
      const payload = decrypt(sub, p.body);
      assert.deepEqual(JSON.parse(payload), { title: '回覧', body: '新着メッセージがあります' });
      assert.ok(!p.body.toString('latin1').includes('議会'), 'no text in the clear');
    }
    // b connected: only c (a later id, pushed after b in the same job) gets the next one.
    const ws = await s.wsConnect(b.token);
    await waitFor(async () => (await s.api('GET', `/api/v1/presence?user_ids=${b.id}`, { token: a.token })).json.presence[b.id] === 'online', 5000, 'b online');
    await s.send(a.token, room.id, '二通目');
    await waitFor(() => pushes.get('/push/c').length === 2, 10000, 'c\'s second push');
    assert.equal(pushes.get('/push/b').length, 1, 'nothing to a connected member');
    await ws.close();
    // b's account locked (a lost phone): its subscription ends with its sessions.
    assertStatus(await s.api('POST', `/api/v1/admin/users/${b.id}/lock`, { token: s.adminToken, body: {} }), 200);
    await s.send(a.token, room.id, '三通目');
    await waitFor(() => pushes.get('/push/c').length === 3, 10000, 'c\'s third push');
    assert.equal(pushes.get('/push/b').length, 1, 'nothing to a locked account');
    // Turned off again: nothing is pushed and the key is no longer offered.
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { web_push: false } }), 200);
    assertError(await s.api('GET', '/api/v1/push/key', { token: c.token }), 404, 'push_disabled');
    assertStatus(await s.api('DELETE', '/api/v1/me/push', { token: c.token }), 204);
  });
});
