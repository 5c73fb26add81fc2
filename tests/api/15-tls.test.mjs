// HTTPS served by Kairan itself (tls_cert/tls_key): login, a Secure cookie, and a WebSocket
// over TLS with a live event. The certificate is made by the test with Debian's openssl.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { SLOW, Server, freePort, waitFor } from './lib/harness.mjs';

const WebSocket = createRequire(import.meta.url)('ws');
const dir = mkdtempSync(join(tmpdir(), 'kairan-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function request(port, method, path, { token, body } = {}) {
  return new Promise((ok, fail) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', port, method, path, rejectUnauthorized: false,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => { let json = null; try { json = JSON.parse(text); } catch {} ok({ status: res.statusCode, headers: res.headers, json }); });
    });
    req.on('error', fail);
    req.end(data);
  });
}

describe('TLS', () => {
  it('serves the API and WebSockets over HTTPS', { timeout: 60000 * SLOW }, async () => {
    const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
      '-subj', '/CN=127.0.0.1'], { stdio: 'pipe' });
    const port = await freePort();
    const s = new Server({ env: { KAIRAN_TLS_CERT: cert, KAIRAN_TLS_KEY: key } });
    s.port = port;
    // The harness waits on plain HTTP; start it by hand and wait on HTTPS.
    const { spawn } = await import('node:child_process');
    const proc = spawn(process.env.KAIRAN_BIN || 'build/kairan', ['serve'], { env: { ...s.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    try {
      await waitFor(async () => (await request(port, 'GET', '/healthz').catch(() => ({}))).status === 200, 10000 * SLOW, 'https /healthz');
      const login = await request(port, 'POST', '/api/v1/auth/login', { body: { login: 'admin', password: s.adminPassword } });
      assert.equal(login.status, 200);
      assert.match(String(login.headers['set-cookie']), /;\s*Secure/i, 'Secure cookie over TLS');
      const token = login.json.token;
      const room = await request(port, 'POST', '/api/v1/rooms', { token, body: { name: 'TLS', member_ids: [] } });
      assert.equal(room.status, 201);
      const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/ws`, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false });
      const frames = [];
      ws.on('message', (m) => frames.push(JSON.parse(String(m))));
      await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
      const sent = await request(port, 'POST', `/api/v1/rooms/${room.json.id}/messages`, { token, body: { text: '暗号化', client_msg_id: 'tls-1' } });
      assert.equal(sent.status, 201);
      await waitFor(() => frames.some((f) => f.type === 'message.created' && f.message.text === '暗号化'), 5000 * SLOW, 'the event over wss');
      ws.close();
    } finally {
      proc.kill('SIGTERM');
      await new Promise((ok) => proc.once('exit', ok));
      if (/AddressSanitizer|runtime error/.test(stderr)) assert.fail(stderr);
    }
  });
});
