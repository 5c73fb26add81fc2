// Two nodes behind Debian's nginx with the configuration shipped in packaging/nginx/kairan.conf
// (its ports and certificate paths replaced for a test on loopback): the API and WebSockets
// over TLS through nginx, clients spread over both nodes without sticky sessions, an upload
// through nginx, and kill -9 of a node: the clients reconnect through nginx to the survivor and
// resync by seq with no gap and no duplicate. Needs PostgreSQL (make test-api-pg) and nginx.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PG, ROOT, SLOW, Server, assertStatus, freePort, sleep, uid, waitFor } from './lib/harness.mjs';

const NGINX = '/usr/sbin/nginx';
const T = (name, fn) => it(name, { timeout: 120000 * SLOW }, fn);

describe('two nodes behind nginx', { skip: (!PG && 'needs PostgreSQL (make test-api-pg)') || (!existsSync(NGINX) && 'needs nginx') }, () => {
  let A, B, front, plain, dir, nginx, port;
  before(async () => {
    A = await new Server().start();
    B = await new Server({ dataDir: A.dataDir, adminPassword: A.adminPassword }).start();
    dir = mkdtempSync(join(tmpdir(), 'kairan-nginx-'));
    const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
      '-subj', '/CN=127.0.0.1'], { stdio: 'pipe' });
    port = await freePort();
    const redirect = await freePort();
    // The shipped site, with this test's nodes, ports, certificate and log files.
    const site = readFileSync(join(ROOT, 'packaging/nginx/kairan.conf'), 'utf8')
      .replace('server 127.0.0.1:8081', `server 127.0.0.1:${A.port}`)
      .replace('server 127.0.0.1:8082', `server 127.0.0.1:${B.port}`)
      .replace(/listen 80;\n\s*listen \[::\]:80;/, `listen 127.0.0.1:${redirect};`)
      .replace(/listen 443 ssl http2;\n\s*listen \[::\]:443 ssl http2;/, `listen 127.0.0.1:${port} ssl http2;`)
      .replace('/etc/ssl/kairan/fullchain.pem', cert)
      .replace('/etc/ssl/kairan/privkey.pem', key)
      .replaceAll('/var/log/nginx/', `${dir}/`);
    assert.ok(site.includes(`127.0.0.1:${port} ssl`) && site.includes(cert), 'the shipped config was adapted');
    writeFileSync(join(dir, 'kairan.conf'), site);
    for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, t));
    const root = process.getuid?.() === 0;
    writeFileSync(join(dir, 'nginx.conf'), `${root ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
daemon off;
events { worker_connections 512; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/kairan.conf;
}
`);
    execFileSync(NGINX, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.unref();
    front = new Server({ dataDir: A.dataDir, adminPassword: A.adminPassword });
    front.port = port;
    front.tls = true;
    plain = new Server({ dataDir: A.dataDir });
    plain.port = redirect;
    await waitFor(async () => (await front.api('GET', '/healthz', { timeout: 1000 })).status === 200, 10000 * SLOW, 'nginx to answer /healthz');
    await front.adminLogin();
  });
  after(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await Promise.race([new Promise((ok) => nginx.once('exit', ok)), sleep(5000)]);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    await B?.stop({ keepData: true }).catch(() => {});
    await A?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  T('through nginx: TLS, the redirect, requests and sockets spread over both nodes, an upload, live chat', async () => {
    const r = await plain.api('GET', '/api/v1/me');
    assert.equal(r.status, 301, 'plain HTTP is redirected');
    assert.match(r.headers.location, /^https:\/\/[^/]+\/api\/v1\/me$/);
    const a = await front.makeUser(null, uid('na'));
    const b = await front.makeUser(null, uid('nb'));
    const room = await front.makeRoom(a.token, 'nginx 経由', [b.id]);
    // No sticky sessions: four sockets land on both nodes (round robin).
    const socks = [];
    for (let i = 0; i < 4; i++) socks.push(await front.wsConnect(i % 2 ? b.token : a.token));
    await A.adminLogin();
    await B.adminLogin();
    const healthA = assertStatus(await A.api('GET', '/metrics', { token: A.adminToken }), 200).text;
    const healthB = assertStatus(await B.api('GET', '/metrics', { token: B.adminToken }), 200).text;
    const conns = (t) => Number(/^kairan_connections(?:\{[^}]*\})? (\d+)/m.exec(t)?.[1] ?? NaN);
    assert.ok(conns(healthA) >= 1 && conns(healthB) >= 1, `sockets on both nodes: A ${conns(healthA)}, B ${conns(healthB)}`);
    // A message sent through nginx reaches every socket of the room, whichever node holds it.
    const m = await front.send(a.token, room.id, 'nginx の向こうへ');
    for (const s of socks) await s.next((f) => f.type === 'message.created' && f.message?.id === m.id, 3000 * SLOW);
    // An upload streams through nginx.
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    const up = assertStatus(await front.api('POST', `/api/v1/files?name=${encodeURIComponent('図面.bin')}`, { token: a.token, raw: bytes, headers: { 'content-type': 'application/octet-stream' } }), 201, 'upload through nginx').json;
    const got = assertStatus(await front.api('GET', `/api/v1/files/${up.id}`, { token: a.token }), 200, 'download through nginx');
    assert.equal(got.body.length, bytes.length);
    await Promise.all(socks.map((s) => s.close()));
  });

  T('kill -9 of a node: clients reconnect through nginx to the survivor and resync with no gap or duplicate', async () => {
    const a = await front.makeUser(null, uid('ka'));
    const b = await front.makeUser(null, uid('kb'));
    const room = await front.makeRoom(a.token, '片系障害', [b.id]);
    const sent = [];
    for (let i = 0; i < 10; i++) sent.push(await front.send(a.token, room.id, `障害前 ${i}`));
    // b's client: a socket through nginx, and the highest seq it has seen.
    let sock = await front.wsConnect(b.token);
    let seen = new Map(sent.map((m) => [m.seq, m.id]));
    const dup = [];
    const onFrame = (f) => {
      if (f.type !== 'message.created' || f.message?.room_id !== room.id && String(f.room_id) !== String(room.id)) return;
      if (seen.has(f.message.seq)) dup.push(f.message.seq);
      seen.set(f.message.seq, f.message.id);
    };
    const watch = (s) => { const orig = s.frames.push.bind(s.frames); s.frames.push = (f) => { onFrame(f); return orig(f); }; };
    watch(sock);
    await B.kill9();
    // Sends keep going through nginx (which now finds only A).
    for (let i = 0; i < 10; i++) sent.push(await front.send(a.token, room.id, `障害後 ${i}`));
    // The socket, if it was on B, is gone: reconnect through nginx and resync after the last seq seen.
    if (sock.closeInfo === null) {
      try { await sock.next((f) => f.type === 'message.created' && f.message?.id === sent[sent.length - 1].id, 2000 * SLOW); } catch {}
    }
    if (!seen.has(sent[sent.length - 1].seq)) {
      await sock.close();
      sock = await front.wsConnect(b.token);
      watch(sock);
      const last = Math.max(...seen.keys());
      for (const m of await front.history(b.token, room.id, last)) {
        if (seen.has(m.seq)) dup.push(m.seq);
        seen.set(m.seq, m.id);
      }
    }
    const seqs = [...seen.keys()].sort((x, y) => x - y);
    assert.deepEqual(seqs, sent.map((m) => m.seq), 'every message, no gap');
    assert.deepEqual(dup, [], 'no duplicate');
    for (const m of sent) assert.equal(seen.get(m.seq), m.id);
    await sock.close();
    await B.start();
  });
});
