// Search: Japanese words found inside sentences (bigrams), folding of width, case and kana,
// phrases, AND, exclusions and filters, only the searcher's rooms, deletions leaving the index
// at once, text inside uploaded PDF and Word files, snippets with UTF-16 highlight offsets,
// and bad input answered 400 invalid_query.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SLOW, assertError, assertStatus, uid, useServer, waitFor } from './lib/harness.mjs';
import { pdfWithText } from './lib/pdf.mjs';

const { ctx, T } = useServer({ before, after, it });
let a, b, c, room, other, secret;
before(async () => {
  await ctx.ready;
  a = await ctx.srv.makeUser(null, uid('sa'), { name: '検索 愛' });
  b = await ctx.srv.makeUser(null, uid('sb'), { name: '検索 文' });
  c = await ctx.srv.makeUser(null, uid('sc'), { name: '部外 者' });
  room = await ctx.srv.makeRoom(a.token, '財政課連絡', [b.id]);
  other = await ctx.srv.makeRoom(a.token, '防災訓練', [b.id]);
  secret = await ctx.srv.makeRoom(c.token, '人事秘', []);
});

const search = async (token, q, extra = '') => {
  const r = await ctx.srv.api('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, { token });
  assertStatus(r, 200, `search ${q}${extra}`);
  assert.ok(Array.isArray(r.json.results), 'answer {results}');
  return r.json.results;
};
const ids = (results) => results.filter((x) => x.type === 'message').map((x) => x.message.id);
// The highlighted parts of a result's snippet, cut out by their UTF-16 offsets (as a browser would).
const marked = (res) => res.highlights.map(([s, e]) => res.snippet.slice(s, e));

describe('Japanese words', () => {
  T('会議 inside 「来週の会議資料を共有します」 is found, highlighted by UTF-16 offsets', async () => {
    const m = await ctx.srv.send(a.token, room.id, '来週の会議資料を共有します');
    const res = await search(b.token, '会議');
    const hit = res.find((x) => x.message?.id === m.id);
    assert.ok(hit, 'found by a member');
    assert.equal(hit.type, 'message');
    assert.equal(hit.room_id, room.id);
    assert.equal(hit.message.text, '来週の会議資料を共有します');
    assert.equal(hit.snippet, '来週の会議資料を共有します');
    assert.deepEqual(hit.highlights, [[3, 5]]);
    assert.deepEqual(marked(hit), ['会議']);
    // Every two-character word inside the sentence finds it, the phrase too.
    for (const q of ['資料', '共有', '来週', '週の会', '"会議資料"']) assert.ok(ids(await search(b.token, q)).includes(m.id), q);
    assert.ok(!ids(await search(b.token, '"資料会議"')).includes(m.id), 'a phrase keeps its order');
  });

  T('かいぎ finds カイギ, ｶﾞｲﾄﾞ finds ガイド, ＡＢＣ finds abc (and back)', async () => {
    const k = await ctx.srv.send(a.token, room.id, 'カイギは午後です');
    const g = await ctx.srv.send(a.token, room.id, '避難所ガイドを更新');
    const x = await ctx.srv.send(a.token, room.id, 'abc形式で提出');
    assert.ok(ids(await search(b.token, 'かいぎ')).includes(k.id), 'かいぎ → カイギ');
    assert.ok(ids(await search(b.token, 'ｶﾞｲﾄﾞ')).includes(g.id), 'ｶﾞｲﾄﾞ → ガイド');
    assert.ok(ids(await search(b.token, 'ＡＢＣ')).includes(x.id), 'ＡＢＣ → abc');
    assert.ok(ids(await search(b.token, 'ABC')).includes(x.id), 'ABC → abc');
    const res = (await search(b.token, 'ｶﾞｲﾄﾞ')).find((r) => r.message.id === g.id);
    assert.deepEqual(marked(res), ['ガイド'], 'the highlight covers the text as written');
    const h = await ctx.srv.send(a.token, room.id, 'ｻｰﾊﾞｰ室の鍵');
    assert.deepEqual(marked((await search(b.token, 'サーバー')).find((r) => r.message.id === h.id)), ['ｻｰﾊﾞｰ'],
      'half-width text is highlighted in its own characters');
  });

  T('one character finds it anywhere, also at the end of a word', async () => {
    const m = await ctx.srv.send(a.token, room.id, '臨時の議会が開かれた');
    assert.ok(ids(await search(b.token, '会')).includes(m.id), '会 at the end of 議会');
    assert.ok(ids(await search(b.token, '臨')).includes(m.id), '臨 at the start');
  });

  T('several words mean AND; -word excludes; highlights for each word', async () => {
    const m1 = await ctx.srv.send(a.token, room.id, '補正予算の要求書を提出しました');
    const m2 = await ctx.srv.send(a.token, room.id, '補正予算は中止です');
    const both = ids(await search(b.token, '補正予算 要求'));
    assert.ok(both.includes(m1.id) && !both.includes(m2.id), 'AND');
    const ex = ids(await search(b.token, '補正予算 -中止'));
    assert.ok(ex.includes(m1.id) && !ex.includes(m2.id), 'exclusion');
    const hit = (await search(b.token, '要求 予算')).find((r) => r.message.id === m1.id);
    assert.deepEqual(marked(hit), ['予算', '要求']);
  });

  T('a long message gives a snippet around the match, offsets still UTF-16 (with an emoji)', async () => {
    const text = '🎉'.repeat(3) + 'あ'.repeat(200) + '決算書' + 'い'.repeat(200);
    const m = await ctx.srv.send(a.token, room.id, text);
    const hit = (await search(b.token, '決算')).find((r) => r.message.id === m.id);
    assert.ok(hit.snippet.length < 200 && hit.snippet.startsWith('…') && hit.snippet.endsWith('…'));
    assert.deepEqual(marked(hit), ['決算']);
  });
});

describe('only what the searcher may see', () => {
  T('a non-member never finds a room\'s message', async () => {
    const s = await ctx.srv.send(c.token, secret.id, '人事異動の内示案');
    assert.ok(!ids(await search(a.token, '内示')).includes(s.id), 'not a member');
    assert.ok(ids(await search(c.token, '内示')).includes(s.id), 'the member finds it');
    assert.ok(!ids(await search(a.token, '内示', `&room_id=${secret.id}`)).includes(s.id), 'not even by naming the room');
  });

  T('a deleted message is not found once the deletion is answered; an edit replaces the words', async () => {
    const m = await ctx.srv.send(a.token, room.id, '誤送信の議案メモ');
    assert.ok(ids(await search(b.token, '誤送信')).includes(m.id));
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token }), 200, 'delete');
    assert.ok(!ids(await search(b.token, '誤送信')).includes(m.id), 'gone from the index in the deletion\'s transaction');
    const e = await ctx.srv.send(a.token, room.id, '旧文言の通知');
    assertStatus(await ctx.srv.api('PATCH', `/api/v1/rooms/${room.id}/messages/${e.id}`, { token: a.token, body: { text: '新文言の通知' } }), 200, 'edit');
    assert.ok(!ids(await search(b.token, '旧文言')).includes(e.id), 'old words gone');
    assert.ok(ids(await search(b.token, '新文言')).includes(e.id), 'new words found');
  });
});

describe('deleted content kept for the records', () => {
  T('with keep_deleted_content a deleted message is still not found; a purge also leaves the index', async () => {
    const { Server } = await import('./lib/harness.mjs');
    const s = new Server({ env: { KAIRAN_KEEP_DELETED_CONTENT: 'true' } });
    ctx.more.push(s);
    await s.start();
    await s.adminLogin();
    const u = await s.makeUser(null, uid('kd'));
    const r = await s.makeRoom(u.token, '記録', []);
    const find = async (q) => {
      const res = await s.api('GET', `/api/v1/search?q=${encodeURIComponent(q)}`, { token: u.token });
      assertStatus(res, 200, q);
      return res.json.results.map((x) => x.message.id);
    };
    const m = await s.send(u.token, r.id, '保存対象の議事メモ');
    const p = await s.send(u.token, r.id, '消去対象の議事メモ');
    assert.deepEqual((await find('議事メモ')).sort(), [m.id, p.id].sort());
    assertStatus(await s.api('DELETE', `/api/v1/rooms/${r.id}/messages/${m.id}`, { token: u.token }), 200, 'delete (text kept)');
    assert.deepEqual(await find('議事メモ'), [p.id], 'the kept text is not searchable');
    assertStatus(await s.api('POST', `/api/v1/admin/messages/${p.id}/purge`, { token: s.adminToken, body: { reason: '個人情報' } }), 200, 'purge');
    assert.deepEqual(await find('議事メモ'), [], 'purged');
  });
});

describe('retention', () => {
  T('messages purged when their room\'s period ends leave the index with them', async () => {
    const { Server } = await import('./lib/harness.mjs');
    const s = new Server({ env: { KAIRAN_TEST: '1' } });
    ctx.more.push(s);
    await s.start();
    await s.adminLogin();
    const u = await s.makeUser(null, uid('rt'));
    const short = await s.makeRoom(u.token, '短期保存', []);
    const keep = await s.makeRoom(u.token, '永年保存', []);
    await s.send(u.token, short.id, '期限切れの照会文書');
    const kept = await s.send(u.token, keep.id, '永年の照会文書');
    assertStatus(await s.api('PUT', `/api/v1/admin/rooms/${short.id}/records`, { token: s.adminToken, body: { classification: 'work', retention_days: 1 } }), 200);
    // Three days later (the test clock), the retention pass removes the short room's message.
    await s.stop({ keepData: true });
    s.extraEnv = { ...s.extraEnv, KAIRAN_TEST: '1', KAIRAN_TEST_CLOCK_OFFSET: String(3 * 86400) };
    await s.start();
    const tok = await s.login(u.login, u.password);
    await waitFor(async () => (await s.history(tok, short.id)).length === 0, 10000 * SLOW, 'the short room purged');
    const res = assertStatus(await s.api('GET', `/api/v1/search?q=${encodeURIComponent('照会文書')}`, { token: tok }), 200).json;
    assert.deepEqual(res.results.map((x) => x.message.id), [kept.id]);
  });
});

describe('filters', () => {
  T('room_id, from:, in:, has:file, before:/after:', async () => {
    const m1 = await ctx.srv.send(a.token, room.id, '訓練日程の調整');
    const m2 = await ctx.srv.send(b.token, other.id, '訓練日程の確定');
    let r = ids(await search(b.token, '訓練日程', `&room_id=${other.id}`));
    assert.ok(r.includes(m2.id) && !r.includes(m1.id), 'room_id');
    r = ids(await search(b.token, `訓練日程 from:${a.login}`));
    assert.ok(r.includes(m1.id) && !r.includes(m2.id), 'from:');
    r = ids(await search(b.token, '訓練日程 in:防災訓練'));
    assert.ok(r.includes(m2.id) && !r.includes(m1.id), 'in: a room name');
    r = ids(await search(b.token, '訓練日程 before:2000-01-01'));
    assert.deepEqual(r, [], 'before: a day long past');
    r = ids(await search(b.token, '訓練日程 after:2000-01-01'));
    assert.ok(r.includes(m1.id) && r.includes(m2.id), 'after:');
    r = ids(await search(b.token, '訓練日程 has:file'));
    assert.deepEqual(r, [], 'has:file: neither carries a file');
    r = ids(await search(b.token, `訓練日程 in:${other.id}`));
    assert.ok(r.includes(m2.id) && !r.includes(m1.id), 'in: a room id');
    r = ids(await search(b.token, '訓練日程', `&from=${b.id}`));
    assert.ok(r.includes(m2.id) && !r.includes(m1.id), 'from= a user id');
    // Logins are often staff numbers: from:10234 is that login, not user id 10234.
    const num = await ctx.srv.makeUser(null, String(70000 + (process.pid % 20000)), { name: '番号 職員' });
    assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/members`, { token: a.token, body: { user_ids: [num.id] } }), 200, 'add');
    const m3 = await ctx.srv.send(num.token, room.id, '訓練日程の質問');
    r = ids(await search(b.token, `訓練日程 from:${num.login}`));
    assert.deepEqual(r, [m3.id], 'from: a numeric login');
    const lim = await search(b.token, '訓練日程', '&limit=1');
    assert.equal(lim.length, 1, 'limit');
  });
});

describe('files', () => {
  const upload = (token, name, bytes, type) =>
    ctx.srv.api('POST', `/api/v1/files?name=${encodeURIComponent(name)}`, { token, raw: bytes, headers: { 'content-type': type } });

  T('a word inside an uploaded PDF and inside a .docx is found; the file name too', async () => {
    const pdf = assertStatus(await upload(a.token, '資料.pdf', pdfWithText('令和七年度予算要求書の概要'), 'application/pdf'), 201, 'pdf').json;
    const dir = mkdtempSync(join(tmpdir(), 'kairan-search-'));
    const docxPath = join(dir, 'a.docx');
    execFileSync('python3', ['-c', `
import zipfile, sys
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
z.writestr('word/document.xml', '<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>下水道</w:t></w:r><w:r><w:t>長寿命化計画の説明</w:t></w:r></w:p></w:body></w:document>')
z.close()`, docxPath]);
    const docx = assertStatus(await upload(a.token, '計画書.docx', readFileSync(docxPath), 'application/octet-stream'), 201, 'docx').json;
    const m = await ctx.srv.send(a.token, room.id, '資料を添付します', { file_ids: [pdf.id, docx.id] });

    const inPdf = (await search(b.token, '予算要求')).find((r) => r.type === 'file' && r.file.id === pdf.id);
    assert.ok(inPdf, `a word inside the PDF (sniffed as ${pdf.type})`);
    assert.equal(inPdf.message.id, m.id, 'with the message that carries it');
    assert.equal(inPdf.room_id, room.id);
    assert.deepEqual(marked(inPdf), ['予算要求']);
    const inDocx = (await search(b.token, '長寿命化')).find((r) => r.type === 'file' && r.file.id === docx.id);
    assert.ok(inDocx, `a word inside the Word file (sniffed as ${docx.type})`);
    assert.ok((await search(b.token, '計画書')).some((r) => r.type === 'file' && r.file.id === docx.id), 'by its name');
    assert.ok((await search(b.token, '予算要求', '&has=file')).some((r) => r.type === 'file'), 'has=file');
    assert.ok(!(await search(c.token, '予算要求')).some((r) => r.type === 'file' && r.file.id === pdf.id), 'not for a non-member');
    // A file not yet attached to any message is nobody's search result, not even its uploader's.
    const loose = assertStatus(await upload(a.token, '未添付.txt', Buffer.from('未添付の下書き'), 'text/plain'), 201).json;
    assert.ok(!(await search(a.token, '下書き')).some((r) => r.file?.id === loose.id));
    // Deleting the message takes its files out of every search at once.
    assertStatus(await ctx.srv.api('DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`, { token: a.token }), 200);
    assert.ok(!(await search(b.token, '予算要求')).some((r) => r.type === 'file' && r.file.id === pdf.id), 'gone with its message');
  });
});

describe('bad input', () => {
  T('400 invalid_query naming the problem; only punctuation → 200 with no results', async () => {
    const bad = async (query, re) => {
      const r = await ctx.srv.api('GET', `/api/v1/search${query}`, { token: a.token, headers: { 'accept-language': 'en' } });
      assertError(r, 400, 'invalid_query', query);
      assert.match(r.json.error.message, re, query);
    };
    await bad('', /empty/);
    await bad('?q=', /empty/);
    await bad(`?q=${encodeURIComponent('会'.repeat(257))}`, /too long/);
    await bad(`?q=${encodeURIComponent('"会議 資料')}`, /quote/);
    await bad(`?q=${encodeURIComponent('会議 color:red')}`, /unknown filter/);
    await bad(`?q=${encodeURIComponent('会議 before:2026-13-01')}`, /date/);
    await bad(`?q=${encodeURIComponent('会議 after:昨日')}`, /date/);
    await bad(`?q=${encodeURIComponent('会議')}&before=2026-02-30`, /date/);
    await bad(`?q=${encodeURIComponent('会議')}&limit=0`, /limit/);
    await bad(`?q=${encodeURIComponent('会議')}&limit=101`, /limit/);
    await bad(`?q=${encodeURIComponent('会議')}&limit=abc`, /limit/);
    await bad(`?q=${encodeURIComponent('-会議')}`, /word/);
    await bad(`?q=${encodeURIComponent('会議 from:nobody-at-all')}`, /from/);
    await bad(`?q=${encodeURIComponent('会議 in:存在しない部屋')}`, /in:/);
    assert.deepEqual(await search(a.token, '。、！？…'), []);
    assert.deepEqual(await search(a.token, '"" ・'), []);
    // Engine syntax in the user's words is just text.
    await search(a.token, 'OR AND NOT ( ) * ^ NEAR(a b)');
    await search(a.token, 'https://example.jp/会議');
  });
});

describe('directory', () => {
  T('すずき finds 鈴木 by reading; so do スズキ and ｽｽﾞｷ', async () => {
    const s = await ctx.srv.makeUser(null, uid('suz'), { name: '鈴木 一郎', kana: 'すずき いちろう' });
    for (const q of ['すずき', 'スズキ', 'ｽｽﾞｷ', '鈴木']) {
      const r = assertStatus(await ctx.srv.api('GET', `/api/v1/users?q=${encodeURIComponent(q)}`, { token: a.token }), 200, q).json;
      const list = r.users || r;
      assert.ok(list.some((u) => u.id === s.id), `${q} finds 鈴木`);
    }
  });
});
