// Files: byte-identical round trip, ranges, permission by room membership, attachment to
// messages, hostile names, safe download headers and the upload size limit.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SLOW, Server, assertError, assertStatus, sha256, uid, useServer, waitFor } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
let a, b, c, room;
before(async () => {
  await ctx.ready;
  a = await ctx.srv.makeUser(null, uid('fa'));
  b = await ctx.srv.makeUser(null, uid('fb'));
  c = await ctx.srv.makeUser(null, uid('fc'));
  room = await ctx.srv.makeRoom(a.token, '資料共有', [b.id]);
});
const upload = (token, name, bytes, type = 'application/octet-stream', srv = ctx.srv) =>
  srv.api('POST', `/api/v1/files?name=${encodeURIComponent(name)}`, { token, raw: bytes, headers: { 'content-type': type } });
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('round trip', () => {
  let bytes, file;
  before(async () => {
    bytes = randomBytes(1024 * 1024);
    const r = await upload(a.token, '調査結果.bin', bytes);
    assertStatus(r, 201, 'upload 1 MiB');
    // Every answer names its request, and the log lines written for it carry the same id.
    const rid = r.headers['x-request-id'];
    assert.match(rid, /^\d+$/);
    await waitFor(() => new RegExp(`event=files.uploaded req=${rid} file=${r.json.id} `).test(ctx.srv.stderr), 5000, 'the upload logged with its request id');
    file = r.json;
  });

  T('upload answers {id, name, size, type}; download is byte-identical', async () => {
    assert.notEqual(file.id, undefined);
    assert.equal(file.name, '調査結果.bin');
    assert.equal(file.size, bytes.length);
    assert.equal(typeof file.type, 'string');
    const d = assertStatus(await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: a.token }), 200, 'download');
    assert.equal(d.body.length, bytes.length);
    assert.equal(sha256(d.body), sha256(bytes), 'same SHA-256');
    assert.equal(d.headers['x-content-type-options'], 'nosniff');
    assert.match(d.headers['content-disposition'] || '', /^attachment/i);
    assert.match(d.headers['content-security-policy'] || '', /sandbox/);
    assert.match(d.headers['accept-ranges'] || 'bytes', /bytes/);
    const meta = assertStatus(await ctx.srv.api('GET', `/api/v1/files/${file.id}/meta`, { token: a.token }), 200, 'meta');
    assert.deepEqual({ id: meta.json.id, name: meta.json.name, size: meta.json.size }, { id: file.id, name: file.name, size: file.size });
  });

  T('range requests answer 206 with the right bytes', async () => {
    let r = await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: a.token, headers: { range: 'bytes=1000-1999' } });
    assertStatus(r, 206, 'range 1000-1999');
    assert.equal(r.headers['content-range'], `bytes 1000-1999/${bytes.length}`);
    assert.ok(r.body.equals(bytes.subarray(1000, 2000)));
    r = await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: a.token, headers: { range: 'bytes=-100' } });
    assertStatus(r, 206, 'suffix range');
    assert.ok(r.body.equals(bytes.subarray(bytes.length - 100)));
    r = await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: a.token, headers: { range: `bytes=${bytes.length - 10}-` } });
    assertStatus(r, 206, 'open range');
    assert.ok(r.body.equals(bytes.subarray(bytes.length - 10)));
    r = await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: a.token, headers: { range: `bytes=${bytes.length}-${bytes.length + 10}` } });
    assert.equal(r.status, 416, 'unsatisfiable range → 416');
    r = await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: a.token, headers: { range: 'bytes=abc' } });
    assert.ok(r.status === 200 || r.status === 416, `malformed range → ${r.status}`);
  });

  T('forbidden to a non-member (404) until attached in a room they are in; gone again after delete', async () => {
    assertError(await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: b.token }), 404, 'not_found', 'not yet posted');
    assertError(await ctx.srv.api('GET', `/api/v1/files/${file.id}/meta`, { token: c.token }), 404, 'not_found', 'meta, non-member');
    assertError(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: b.token, body: { text: '', file_ids: [file.id], client_msg_id: uid('c') } }), 400, 'invalid_parameter', 'attaching a file one cannot see');
    const m = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: '', file_ids: [file.id], client_msg_id: uid('c') } }), 201, 'attach').json;
    assert.deepEqual(m.files.map((f) => [f.id, f.name, f.size]), [[file.id, file.name, file.size]]);
    const d = assertStatus(await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: b.token }), 200, 'member downloads');
    assert.equal(sha256(d.body), sha256(bytes));
    assertError(await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: c.token }), 404, 'not_found', 'non-member downloads');
    assertError(await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: ctx.srv.adminToken }), 404, 'not_found', 'an administrator outside the room');
    const h = await ctx.srv.history(b.token, room.id);
    assert.deepEqual(h.find((x) => x.id === m.id).files.map((f) => f.id), [file.id]);
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token }), 200, 'delete the message');
    assertError(await ctx.srv.api('GET', `/api/v1/files/${file.id}`, { token: b.token }), 404, 'not_found', 'after the message was deleted');
    assertError(await ctx.srv.api('GET', '/api/v1/files/987654321', { token: a.token }), 404, 'not_found', 'unknown file');
  });

  T('identical content is stored once', async () => {
    const bytes2 = randomBytes(200 * 1024);
    const before = countFiles(join(ctx.srv.dataDir, 'files'));
    assertStatus(await upload(a.token, 'orig.bin', bytes2), 201, 'new bytes');
    const mid = countFiles(join(ctx.srv.dataDir, 'files'));
    assert.equal(mid, before + 1, 'one new file on disk');
    const r = assertStatus(await upload(b.token, 'copy.bin', bytes2), 201, 'same bytes again');
    assert.equal(countFiles(join(ctx.srv.dataDir, 'files')), mid, 'no new file on disk');
    const d = assertStatus(await ctx.srv.api('GET', `/api/v1/files/${r.json.id}`, { token: b.token }), 200, 'download copy');
    assert.equal(sha256(d.body), sha256(bytes2));
    assertError(await ctx.srv.api('GET', `/api/v1/files/${r.json.id}`, { token: c.token }), 404, 'not_found', "the copy is b's, not c's");
  });
});

function countFiles(dir) {
  let n = 0;
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : (statSync(join(d, e.name)).size > 0 && n++); };
  walk(dir);
  return n;
}

describe('names and headers', () => {
  T('hostile names are cleaned: no path separators, control characters or leading dots', async () => {
    for (const name of ['../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/shadow', 'a\u0001b\nc\r.txt', '.htaccess', '報告\u0000書.txt', 'x/../../y.txt', '\u202egnp.exe']) {
      const r = await upload(a.token, name, Buffer.from('hostile ' + name));
      assertStatus(r, [201, 400], `name ${JSON.stringify(name)}`);
      if (r.status === 400) { assertError(r, 400, 'invalid_parameter', JSON.stringify(name)); continue; }
      const n = r.json.name;
      assert.ok(!/[\/\\]/.test(n), `no separators in ${JSON.stringify(n)}`);
      assert.ok(!/[\u0000-\u001f\u007f]/.test(n), `no control characters in ${JSON.stringify(n)}`);
      assert.ok(!n.startsWith('.'), `no leading dot in ${JSON.stringify(n)}`);
      assert.ok(n.length > 0);
      const d = await ctx.srv.api('GET', `/api/v1/files/${r.json.id}`, { token: a.token });
      assertStatus(d, 200, 'download');
      const cd = d.headers['content-disposition'];
      assert.ok(cd && !/[\r\n]/.test(cd), 'one clean Content-Disposition');
    }
    // Nothing escaped the files directory.
    assert.ok(!readdirSync(ctx.srv.dataDir).some((f) => /passwd|shadow|win\.ini/.test(f)));
  });

  T('names that clean to nothing or are missing → 400', async () => {
    for (const q of ['name=', 'name=..', 'name=%2F', 'name=%2E%2E%2F%2E%2E%2F', 'name=%01%02', '', 'name=%ZZ', 'name=%FF%FE']) {
      const r = await ctx.srv.api('POST', `/api/v1/files?${q}`, { token: a.token, raw: Buffer.from('x'), headers: { 'content-type': 'text/plain' } });
      assertError(r, 400, 'invalid_parameter', `?${q.slice(0, 40)}`);
    }
  });

  T('names are at most 255 bytes: 255 kept whole; longer refused or cut on a character boundary', async () => {
    const a255 = assertStatus(await upload(a.token, 'a'.repeat(255), Buffer.from('x')), 201, '255 bytes');
    assert.equal(a255.json.name, 'a'.repeat(255));
    const j255 = assertStatus(await upload(a.token, 'あ'.repeat(85), Buffer.from('y')), 201, '255 bytes of UTF-8');
    assert.equal(j255.json.name, 'あ'.repeat(85));
    for (const name of ['b'.repeat(256), 'い'.repeat(86), 'c'.repeat(5000)]) {
      const r = await upload(a.token, name, Buffer.from('z'));
      assertStatus(r, [201, 400], `${name.length}-character name`);
      if (r.status === 400) { assertError(r, 400, 'invalid_parameter'); continue; }
      const n = r.json.name;
      assert.ok(Buffer.byteLength(n) <= 255, `stored name is ${Buffer.byteLength(n)} bytes`);
      assert.ok(!n.includes('\ufffd') && name.startsWith(n), 'cut on a character boundary');
    }
  });

  T('HTML is served as an attachment with nosniff and sandbox, never inline; images inline', async () => {
    const html = await upload(a.token, '<script>alert(1)</script>.html', Buffer.from('<html><script>alert(document.cookie)</script></html>'), 'text/html');
    assertStatus(html, 201, 'upload html');
    const d = await ctx.srv.api('GET', `/api/v1/files/${html.json.id}`, { token: a.token });
    assertStatus(d, 200, 'download html');
    assert.match(d.headers['content-disposition'], /^attachment/i);
    assert.equal(d.headers['x-content-type-options'], 'nosniff');
    assert.match(d.headers['content-security-policy'] || '', /sandbox/);
    assert.doesNotMatch(d.headers['content-disposition'], /<script>/, 'the raw name is not put in the header unencoded');
    const svg = await upload(a.token, 'icon.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml');
    assertStatus(svg, 201, 'upload svg');
    const ds = await ctx.srv.api('GET', `/api/v1/files/${svg.json.id}`, { token: a.token });
    assert.match(ds.headers['content-disposition'], /^attachment/i, 'SVG can carry script: attachment');
    const png = await upload(a.token, '写真.png', PNG, 'application/octet-stream');
    assertStatus(png, 201, 'upload png');
    assert.equal(png.json.type, 'image/png', 'the type is sniffed, not taken from Content-Type');
    const dp = await ctx.srv.api('GET', `/api/v1/files/${png.json.id}`, { token: a.token });
    assert.match(dp.headers['content-disposition'], /^inline/i, 'images inline');
    assert.equal(dp.headers['content-type'], 'image/png');
    const fake = await upload(a.token, 'fake.png', Buffer.from('MZ\x90\x00 this is not a png'), 'image/png');
    assertStatus(fake, 201, 'upload fake png');
    assert.notEqual(fake.json.type, 'image/png', 'a claimed type is not trusted');
    const df = await ctx.srv.api('GET', `/api/v1/files/${fake.json.id}`, { token: a.token });
    assert.match(df.headers['content-disposition'], /^attachment/i);
  });
});

describe('size limit', () => {
  let small;
  before(async () => {
    small = new Server({ env: { KAIRAN_MAX_UPLOAD_MIB: '1' } });
    ctx.more = [small];
    await small.start();
    await small.adminLogin();
  });
  after(async () => { if (small) await small.stop(); });

  T('over max_upload_mib → 413 payload_too_large; exactly the limit is accepted; the server keeps serving', async () => {
    const u = await small.makeUser(null, uid('big'));
    const ok = await upload(u.token, 'limit.bin', randomBytes(1024 * 1024), 'application/octet-stream', small);
    assertStatus(ok, 201, 'exactly 1 MiB');
    // Raw sockets: the answer may come before the body is read, and the connection then reset.
    const bigUpload = (n) => small.rawRequest('POST', `/api/v1/files?name=over.bin`, { headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/octet-stream' }, body: randomBytes(n), earlyAnswerMs: 300 * SLOW });
    assertError(await bigUpload(1024 * 1024 + 1), 413, 'payload_too_large', '1 MiB + 1 byte');
    assertError(await bigUpload(8 * 1024 * 1024), 413, 'payload_too_large', '8 MiB');
    // Streamed without a length (chunked), over the limit.
    const chunked = await new Promise((ok) => {
      const req = http.request({ host: '127.0.0.1', port: small.port, method: 'POST', path: '/api/v1/files?name=chunked.bin', headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (res) => {
        let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => ok({ status: res.statusCode, text: t }));
      });
      req.on('error', (e) => ok({ status: 0, text: e.message }));
      const chunk = randomBytes(256 * 1024);
      let n = 0;
      const pump = () => { while (n < 12) { n++; if (!req.write(chunk)) return req.once('drain', pump); } req.end(); };
      pump();
    });
    assert.ok(chunked.status === 413 || chunked.status === 0, `chunked 3 MiB upload → ${chunked.status} ${chunked.text.slice(0, 100)}`);
    assert.ok(await small.healthy(), 'still serving');
    // No partial upload was kept.
    const big = [];
    const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (statSync(p).size > 1024 * 1024) big.push(p); } };
    walk(small.dataDir);
    assert.deepEqual(big.filter((p) => !/\.db|-wal|-shm/.test(p)), [], 'no file over the limit left in the data directory');
    const d = assertStatus(await small.api('GET', `/api/v1/files/${ok.json.id}`, { token: u.token }), 200, 'download the accepted one');
    assert.equal(d.body.length, 1024 * 1024);
  });
});
