// Disclosure export (R15): a ZIP with a readable document per room, messages.csv for Excel
// (UTF-8 with BOM, or CP932 with 〓 for what it cannot hold), the attachments and a SHA-256
// manifest; the masked edition removes the masked words from every file and lists where and
// on which ground; attachments are withheld unless released; audited; bad input refused.
// The CSV is opened by LibreOffice (Debian's libreoffice-calc-nogui, installed by the test set-up),
// converted to .xlsx and back, and the Japanese text survives.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, runAdmin, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const work = mkdtempSync(join(tmpdir(), 'kairan-export-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function download(s, path, file) {
  const r = await fetch(s.base + path, { headers: { authorization: `Bearer ${s.adminToken}` } });
  assert.equal(r.status, 200);
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
}
function unzip(zip, dir) {
  execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);
  const out = {};
  const walk = (d, pre = '') => { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(join(d, e.name), pre + e.name + '/'); else out[pre + e.name] = readFileSync(join(d, e.name)); } };
  walk(dir);
  return out;
}

let room, msgs = {}, fileId, pdf, people = {};
describe('disclosure export', () => {
  before(async () => {
    await ctx.ready;
    const s = ctx.srv;
    const a = await s.makeUser(null, uid('xa'), { name: '情報 太郎' });
    const b = await s.makeUser(null, uid('xb'), { name: '公開 花子' });
    room = await s.makeRoom(a.token, '道路改良事業', [b.id]);
    people = { a, b };
    pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(uid('pdf'))]);
    fileId = assertStatus(await s.api('POST', '/api/v1/files?name=' + encodeURIComponent('図面.pdf'), { token: a.token, raw: pdf, headers: { 'content-type': 'application/pdf' } }), 201).json.id;
    msgs.first = await s.send(a.token, room.id, '用地交渉は山本様宅から始めます');
    msgs.reply = await s.send(b.token, room.id, '了解しました。吉野さん（𠮷野）にも連絡します', { reply_to: msgs.first.id });
    msgs.file = await s.send(a.token, room.id, '図面を添付します', { file_ids: [fileId] });
    msgs.stamp = await s.send(b.token, room.id, '', { stamp: 'ryokai' });
    const gone = await s.send(a.token, room.id, '誤送信です');
    assertStatus(await s.api('DELETE', `/api/v1/rooms/${room.id}/messages/${gone.id}`, { token: a.token }), 200);
  });

  T('the full edition: documents, CSV with BOM, attachments and a manifest that matches', async () => {
    const s = ctx.srv;
    const r = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id] } }), 201).json;
    assert.equal(r.messages, 5);
    assert.equal(r.files, 1);
    const zip = join(work, 'full.zip');
    await download(s, r.download, zip);
    assert.equal(createHash('sha256').update(readFileSync(zip)).digest('hex'), r.sha256, 'the answer names the archive\'s hash');
    const f = unzip(zip, join(work, 'full'));
    const html = f[`room-${room.id}.html`].toString();
    assert.match(html, /用地交渉は山本様宅から始めます/);
    assert.match(html, /返信先 #1/);
    assert.match(html, /送信を取り消しました/);
    assert.ok(!html.includes('誤送信です'), 'deleted content is not kept by default');
    assert.match(html, /令和\d+年/, 'Japanese era dates too');
    const csv = f['messages.csv'];
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM for Excel');
    assert.match(csv.toString(), /\r\n/, 'CRLF');
    assert.match(csv.toString(), /𠮷野/);
    assert.ok(f[`attachments/${fileId}-図面.pdf`].equals(pdf), 'the attachment, byte-identical');
    for (const line of f['manifest.txt'].toString().trim().split('\r\n')) {
      const [hash, , name] = line.split(/\s+/);
      assert.equal(createHash('sha256').update(f[name]).digest('hex'), hash, `manifest hash of ${name}`);
    }
    assert.ok(existsSync('/usr/bin/soffice'), 'LibreOffice (libreoffice-calc-nogui) is installed by scripts/install-deps.sh test');
    {
      // LibreOffice opens the CSV with the Japanese intact (converted to xlsx, then back to CSV).
      const dir = join(work, 'lo');
      // (The import filter names the encoding, as LibreOffice's CSV dialog does: 76 = UTF-8.)
      execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${join(work, 'lo-profile')}`, '--infilter=CSV:44,34,76,1',
        '--convert-to', 'xlsx', '--outdir', dir, join(work, 'full', 'messages.csv')], { stdio: 'pipe', timeout: 120000 });
      execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${join(work, 'lo-profile')}`,
        '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', join(dir, 'back'), join(dir, 'messages.xlsx')], { stdio: 'pipe', timeout: 120000 });
      const back = readFileSync(join(dir, 'back', 'messages.csv'), 'utf8');
      assert.match(back, /用地交渉は山本様宅から始めます/);
      assert.match(back, /情報 太郎/);
    }
    const au = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=export.', { token: s.adminToken }), 200).json;
    assert.ok(au.entries.some((e) => e.action === 'export.create'));
  });

  T('CP932 for older Excel: characters CP932 lacks become 〓, and the README says how many', async () => {
    const s = ctx.srv;
    const r = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], encoding: 'cp932' } }), 201).json;
    assert.equal(r.replaced_characters, 1);
    const zip = join(work, 'sjis.zip');
    await download(s, r.download, zip);
    const f = unzip(zip, join(work, 'sjis'));
    const text = new TextDecoder('shift_jis').decode(f['messages.csv']);
    assert.match(text, /〓野/);
    assert.match(text, /用地交渉/);
    assert.match(f['README.txt'].toString(), /1 字を 〓/);
  });

  T('the masked edition: masked words appear in no file; the places and grounds are listed; attachments withheld unless released', async () => {
    const s = ctx.srv;
    const text = '用地交渉は山本様宅から始めます';
    const masks = [{ message_id: msgs.first.id, start: text.indexOf('山本'), length: 2, ground: '条例第7条第1号' },
      { message_id: msgs.reply.id, start: '了解しました。'.length, length: 2, ground: '条例第7条第1号' }];
    const r = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], masks } }), 201).json;
    assert.equal(r.masked_spans, 2);
    const f = unzip(await (async () => { const z = join(work, 'masked.zip'); await download(s, r.download, z); return z; })(), join(work, 'masked'));
    for (const [name, bytes] of Object.entries(f)) {
      assert.ok(!bytes.toString().includes('山本'), `${name} does not contain the masked name`);
      assert.ok(!bytes.toString().includes('吉野'), `${name} does not contain the second masked name`);
    }
    assert.match(f[`room-${room.id}.html`].toString(), /用地交渉は■■様宅から始めます/);
    assert.match(f['masking.csv'].toString(), /条例第7条第1号/);
    assert.ok(!Object.keys(f).some((n) => n.startsWith('attachments/')), 'attachments withheld');
    const released = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], masks, release_file_ids: [fileId] } }), 201).json;
    assert.equal(released.files, 1, 'a released attachment is included');
  });

  T('a request narrowed to people and keywords: only their messages, or only messages holding a keyword', async () => {
    const s = ctx.srv;
    const onlyB = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], user_ids: [people.b.id] } }), 201).json;
    assert.equal(onlyB.messages, 2, 'the reply and the stamp');
    const kw = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], keywords: ['図面', 'ＰＤＦ', '了解'] } }), 201).json;
    assert.equal(kw.messages, 2, 'the file message and the reply');
    const zip = join(work, 'kw.zip');
    await download(s, kw.download, zip);
    const f = unzip(zip, join(work, 'kw'));
    const html = f[`room-${room.id}.html`].toString();
    assert.match(html, /図面を添付します/);
    assert.ok(!html.includes('用地交渉は山本様宅から始めます'), 'messages without a keyword are left out');
    assert.match(f['README.txt'].toString(), /キーワード: 3 語/);
    const both = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], user_ids: [people.a.id], keywords: ['了解'] } }), 201).json;
    assert.equal(both.messages, 0, 'people and keywords together');
    assertError(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], keywords: 'ずれ' } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/admin/exports', { token: s.adminToken, body: { room_ids: [room.id], keywords: [''] } }), 400, 'invalid_parameter');
    const out = join(work, 'cli-kw.zip');
    const r = await runAdmin(['export', '--room', String(room.id), '--keyword', '図面', '--out', out], { dataDir: s.dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"messages":1/);
  });

  T('the command line writes the same archive, with a masks file', async () => {
    const s = ctx.srv;
    const maskFile = join(work, 'masks.json');
    writeFileSync(maskFile, JSON.stringify([{ message_id: msgs.first.id, start: 5, length: 2, ground: '条例第7条第2号' }]));
    const out = join(work, 'cli.zip');
    const r = await runAdmin(['export', '--room', String(room.id), '--out', out, '--masks', maskFile], { dataDir: s.dataDir });
    assert.equal(r.code, 0, r.stderr);
    const f = unzip(out, join(work, 'cli'));
    assert.ok(!f[`room-${room.id}.html`].toString().includes('山本'));
    assert.match(f['masking.csv'].toString(), /条例第7条第2号/);
    const bad = await runAdmin(['export', '--out', out], { dataDir: s.dataDir });
    assert.equal(bad.code, 2, 'no room: usage');
  });

  T('a disclosure officer (情報公開担当) exports and reviews without being an administrator; the role change is audited', async () => {
    const s = ctx.srv;
    const o = await s.makeUser(null, uid('xo'), { name: '情報公開 担当' });
    assertStatus(await s.api('GET', '/api/v1/admin/rooms', { token: o.token }), 403, 'not yet');
    assertStatus(await s.api('PATCH', `/api/v1/admin/users/${o.id}`, { token: s.adminToken, body: { disclosure_officer: true } }), 200);
    const me = assertStatus(await s.api('GET', '/api/v1/me', { token: o.token }), 200).json;
    assert.equal(me.disclosure_officer, true);
    const rooms = assertStatus(await s.api('GET', '/api/v1/admin/rooms', { token: o.token }), 200).json.rooms;
    assert.ok(rooms.some((x) => x.id === room.id), 'every room, member or not');
    assertStatus(await s.api('GET', `/api/v1/admin/rooms/${room.id}/messages?after=0`, { token: o.token }), 200);
    const r = assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: o.token, body: { room_ids: [room.id], masked: true } }), 201).json;
    assertStatus(await s.api('GET', r.download, { token: o.token }), 200);
    // Nothing else an administrator does.
    assertStatus(await s.api('GET', '/api/v1/admin/users', { token: o.token }), 403);
    assertStatus(await s.api('POST', `/api/v1/admin/users/${o.id}/lock`, { token: o.token, body: {} }), 403);
    const au = assertStatus(await s.api('GET', `/api/v1/admin/audit?action=user.role&target_id=${o.id}`, { token: s.adminToken }), 200).json;
    assert.equal(au.entries[0].detail.disclosure_officer, true);
  });

  T('bad input: no rooms, an unknown room, an end before the start, a span without a ground; staff are refused', async () => {
    const s = ctx.srv;
    const t = s.adminToken;
    assertError(await s.api('POST', '/api/v1/admin/exports', { token: t, body: { room_ids: [] } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/admin/exports', { token: t, body: { room_ids: [999999] } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/admin/exports', { token: t, body: { room_ids: [room.id], from: '2026-12-01T00:00:00+09:00', to: '2026-11-01T00:00:00+09:00' } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/admin/exports', { token: t, body: { room_ids: [room.id], masks: [{ message_id: msgs.first.id, start: 0, length: 2 }] } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/admin/exports', { token: t, body: { room_ids: [room.id], encoding: 'euc-jp' } }), 400, 'invalid_parameter');
    const u = await s.makeUser(null, uid('xs'));
    assertStatus(await s.api('POST', '/api/v1/admin/exports', { token: u.token, body: { room_ids: [room.id] } }), 403);
  });
});
