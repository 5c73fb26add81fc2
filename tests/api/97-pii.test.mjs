// The personal-information guard (R16): a My Number with its keyword is refused and leaves no
// trace in any file of the data directory; without the keyword it asks for confirmation; an
// invalid check digit passes; edits and file names are guarded too; administrators turn the
// optional identifiers on per kind.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, uid, useServer } from './lib/harness.mjs';
import { pdfWithText } from './lib/pdf.mjs';

const { ctx, T } = useServer({ before, after, it });

// 番号法施行令 第8条: weights 6,5,4,3,2,7,6,5,4,3,2 over the first 11 digits.
function myNumber(first11) {
  const w = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const r = [...first11].reduce((a, d, i) => a + Number(d) * w[i], 0) % 11;
  return first11 + String(r <= 1 ? 0 : 11 - r);
}
function filesUnder(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p)); else if (st.isFile()) out.push(p);
  }
  return out;
}

describe('My Number', () => {
  T('with its keyword: 422 personal_information, position in UTF-16, no trace anywhere', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('pi'));
    const room = await s.makeRoom(u.token, '個人情報', []);
    const num = myNumber('31415926535');
    const text = `😀 申請者のマイナンバーは${num}です`;
    const r = await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text, client_msg_id: uid('c') } });
    assertError(r, 422, 'personal_information');
    const hit = r.json.error.hits[0];
    assert.equal(hit.kind, 'my_number');
    assert.equal(hit.start, text.indexOf(num), 'UTF-16 offset, as JavaScript counts');
    assert.equal(hit.length, 12);
    assert.ok(!r.text.includes(num), 'the number is not echoed');
    // Spaced and full-width forms are caught too.
    const spaced = `個人番号 ${num.slice(0, 4)} ${num.slice(4, 8)} ${num.slice(8)}`;
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: spaced, client_msg_id: uid('c') } }), 422, 'personal_information');
    const wide = `マイナンバー：${[...num].map((d) => String.fromCharCode(0xff10 + Number(d))).join('')}`;
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: wide, client_msg_id: uid('c') } }), 422, 'personal_information');
    // Even a confirmation cannot push a keyword-marked number through.
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text, client_msg_id: uid('c'), confirm_pii: true } }), 422, 'personal_information');
    const h = await s.history(u.token, room.id);
    assert.equal(h.length, 0, 'nothing stored');
    const audit = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=pii.', { token: s.adminToken }), 200).json;
    assert.ok(audit.entries.some((e) => e.action === 'pii.blocked' && e.detail.hits[0].kind === 'my_number'), 'the hit is audited');
    assert.ok(!JSON.stringify(audit).includes(num), 'without the number');
    // No file of the data directory holds the number (database, WAL, files), nor the log.
    await s.stop({ keepData: true });
    for (const f of filesUnder(s.dataDir)) {
      const bytes = readFileSync(f);
      assert.ok(!bytes.includes(Buffer.from(num)), `${f} does not contain the number`);
    }
    assert.ok(!s.stderr.includes(num), 'the log does not contain it');
    await s.start();
    await s.adminLogin();
  });

  T('without a keyword: 422 personal_information_confirm; resent with confirm_pii it is posted and audited', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('pc'));
    const room = await s.makeRoom(u.token, '確認', []);
    const num = myNumber('27182818284');
    const text = `整理番号 ${num} の件`;
    const cid = uid('c');
    const r = await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text, client_msg_id: cid } });
    assertError(r, 422, 'personal_information_confirm');
    assert.equal(r.json.error.hits[0].kind, 'my_number_unconfirmed');
    const ok = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text, client_msg_id: cid, confirm_pii: true } }), 201);
    assert.equal(ok.json.text, text);
    const audit = assertStatus(await s.api('GET', `/api/v1/admin/audit?action=pii.confirmed&actor_id=${u.id}`, { token: s.adminToken }), 200).json;
    assert.equal(audit.entries.length, 1);
  });

  T('an invalid check digit, phone numbers and 法人番号 pass', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('pv'));
    const room = await s.makeRoom(u.token, '通過', []);
    const num = myNumber('16180339887');
    const wrong = num.slice(0, 11) + String((Number(num[11]) + 1) % 10);
    for (const text of [`マイナンバー ${wrong}`, '電話 077-561-2345 内線 2301', '法人番号 1234567890123', `TEL ${num}`]) {
      assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text, client_msg_id: uid('c') } }), 201, text);
    }
  });

  T('edits and file names are guarded too', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('pe'));
    const room = await s.makeRoom(u.token, '編集', []);
    const m = await s.send(u.token, room.id, '後で直します');
    const num = myNumber('14142135623');
    assertError(await s.api('PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: u.token, body: { text: `マイナンバー${num}` } }), 422, 'personal_information');
    const name = encodeURIComponent(`個人番号${num}.pdf`);
    const up = await s.api('POST', `/api/v1/files?name=${name}`, { token: u.token, raw: Buffer.from('%PDF-1.4'), headers: { 'content-type': 'application/pdf' } });
    assertError(up, 422, 'personal_information');
    assert.equal(up.json.error.field, 'name');
    // A PDF whose text holds a My Number with its word is held for review, and not searchable.
    const pdf = assertStatus(await s.api('POST', '/api/v1/files?name=' + encodeURIComponent('申請書.pdf'), { token: u.token, raw: pdfWithText(`申請書マイナンバー${num}`), headers: { 'content-type': 'application/pdf' } }), 201).json;
    assert.equal(pdf.review, 'held', 'held for an administrator');
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: '添付', file_ids: [pdf.id], client_msg_id: uid('c') } }), 422, 'personal_information');
  });
});

describe('optional identifiers', () => {
  T('administrators turn kinds on per identifier; a typo is refused naming the field', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('po'));
    const room = await s.makeRoom(u.token, 'カード', []);
    const card = 'クレジットカード 4111 1111 1111 1111';
    assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: card, client_msg_id: uid('c') } }), 201, 'off by default');
    const bad = await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { pii: { credit_crad: 'block' } } });
    assertError(bad, 400, 'invalid_parameter');
    assert.match(bad.json.error.message, /credit_crad/);
    assertError(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { pii: { credit_card: 'maybe' } } }), 400, 'invalid_parameter');
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { pii: { credit_card: 'block' } } }), 200);
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: card, client_msg_id: uid('c') } }), 422, 'personal_information');
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { pii: { credit_card: 'warn' } } }), 200);
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: card, client_msg_id: uid('c') } }), 422, 'personal_information_confirm');
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { pii: { credit_card: 'off' } } }), 200);
  });
});

describe('purge', () => {
  T('an administrator purges a message completely, even with keep_deleted_content; audited with the reason', async () => {
    const { Server } = await import('./lib/harness.mjs');
    const s = new Server({ env: { KAIRAN_KEEP_DELETED_CONTENT: 'true' } });
    ctx.more.push(s);
    await s.start();
    try {
      await s.adminLogin();
      const u = await s.makeUser(null, uid('pg'));
      const other = await s.makeUser(null, uid('pw'));
      const room = await s.makeRoom(u.token, '消去', [other.id]);
      const secret = `口座番号は${uid('n')}です`;
      const m = await s.send(u.token, room.id, secret);
      assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages/${m.id}/report`, { token: other.token, body: { reason: '個人情報' } }), 201);
      assertError(await s.api('POST', `/api/v1/admin/messages/${m.id}/purge`, { token: u.token, body: { reason: 'x' } }), 403, 'forbidden');
      assertError(await s.api('POST', `/api/v1/admin/messages/${m.id}/purge`, { token: s.adminToken, body: {} }), 400, 'invalid_parameter');
      const p = assertStatus(await s.api('POST', `/api/v1/admin/messages/${m.id}/purge`, { token: s.adminToken, body: { reason: '個人情報の誤掲載' } }), 200).json;
      assert.equal(p.deleted, true);
      assert.equal(p.text, null);
      const reports = assertStatus(await s.api('GET', '/api/v1/admin/reports?kind=abuse', { token: s.adminToken }), 200).json;
      assert.ok(!JSON.stringify(reports).includes(secret), 'the report snapshot is wiped too');
      const au = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=message.purge', { token: s.adminToken }), 200).json;
      assert.equal(au.entries[0].detail.reason, '個人情報の誤掲載');
      await s.stop({ keepData: true });
      for (const f of filesUnder(s.dataDir)) assert.ok(!readFileSync(f).includes(Buffer.from(secret)), `${f} does not keep it`);
    } finally {
      if (s.proc) await s.stop();
    }
  });
});

describe('attachments', () => {
  T('a text file and a Word file with a My Number are held for review: not shareable until released', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('fa'));
    const room = await s.makeRoom(u.token, '添付の確認', []);
    const num = myNumber('98765432101');
    const up = (name, bytes, type) => s.api('POST', `/api/v1/files?name=${encodeURIComponent(name)}`, { token: u.token, raw: bytes, headers: { 'content-type': type } });
    // A plain text file.
    const t = assertStatus(await up('名簿.txt', Buffer.from(`申請者一覧\n山田 太郎 マイナンバー ${num}\n`), 'text/plain'), 201).json;
    assert.equal(t.review, 'held');
    // A larger one (past the in-memory limit: it is read back from its temporary file).
    const big = assertStatus(await up('大きな名簿.txt', Buffer.concat([Buffer.alloc(2 << 20, 'ichiran\n'), Buffer.from(`マイナンバー ${num}\n`)]), 'text/plain'), 201).json;
    assert.equal(big.review, 'held', 'a 2 MiB file is scanned too');
    // A stray byte that is neither UTF-8 nor CP932 does not hide the rest of the file.
    const stray = assertStatus(await up('名簿2.txt', Buffer.concat([Buffer.from('名簿\n'), Buffer.from([0xff]), Buffer.from(`マイナンバー ${num}\n`)]), 'text/plain'), 201).json;
    assert.equal(stray.review, 'held', `a file with a bad byte is still read (sniffed as ${stray.type})`);
    // A Word document (.docx: word/document.xml inside a ZIP), made here with Python's zipfile.
    const dir = mkdtempSync(join(tmpdir(), 'kairan-docx-'));
    const docx = join(dir, 'a.docx');
    execFileSync('python3', ['-c', `
import zipfile, sys
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
z.writestr('word/document.xml', '<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>個人</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>番号</w:t></w:r><w:r><w:t>${num.slice(0, 6)}</w:t></w:r><w:r><w:t>${num.slice(6)}</w:t></w:r></w:p></w:body></w:document>')
z.close()`, docx]);
    const d = assertStatus(await up('申請書.docx', readFileSync(docx), 'application/octet-stream'), 201).json;
    assert.equal(d.review, 'held', `the Word file is held, though Word split the word and the number into runs (sniffed as ${d.type})`);
    // An Excel sheet with the number typed into a cell (a numeric cell, not a shared string).
    const xlsx = join(dir, 'a.xlsx');
    execFileSync('python3', ['-c', `
import zipfile, sys
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
z.writestr('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>マイナンバー</t></is></c><c r="B1"><v>${num}</v></c></row></sheetData></worksheet>')
z.close()`, xlsx]);
    const x = assertStatus(await up('台帳.xlsx', readFileSync(xlsx), 'application/octet-stream'), 201).json;
    assert.equal(x.review, 'held', `the Excel file is held for a number in a cell (sniffed as ${x.type})`);
    const clean = assertStatus(await up('議事録.txt', Buffer.from('会議の議事録です。電話 077-561-2345'), 'text/plain'), 201).json;
    assert.equal(clean.review, null);
    // Held files cannot be attached; the clean one can.
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: '添付', client_msg_id: uid('c'), file_ids: [t.id] } }), 422, 'personal_information');
    assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: '添付', client_msg_id: uid('c'), file_ids: [clean.id] } }), 201);
    // The administrators' queue, release and deletion; all audited.
    const q = assertStatus(await s.api('GET', '/api/v1/admin/files/review', { token: s.adminToken }), 200).json;
    const ids = q.files.map((f) => f.id);
    assert.ok(ids.includes(t.id) && ids.includes(d.id));
    assert.equal(q.files.find((f) => f.id === t.id).hits[0].kind, 'my_number');
    assert.ok(!JSON.stringify(q).includes(num), 'the queue never shows the number');
    assertStatus(await s.api('POST', `/api/v1/admin/files/${d.id}/release`, { token: s.adminToken }), 204);
    assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: '確認済み', client_msg_id: uid('c'), file_ids: [d.id] } }), 201, 'released: it may be shared');
    assertStatus(await s.api('DELETE', `/api/v1/admin/files/${t.id}`, { token: s.adminToken }), 204);
    assertStatus(await s.api('GET', `/api/v1/files/${t.id}`, { token: u.token }), 404, 'deleted for good');
    const au = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=pii.file', { token: s.adminToken }), 200).json;
    const acts = au.entries.map((e) => e.action);
    assert.ok(acts.includes('pii.file_held') && acts.includes('pii.file_released') && acts.includes('pii.file_deleted'));
  });
});
