// Paperless meetings (R10–R12, R23–R25): notes with versions and read tracking, the numbered
// material template, reminders, meetings with tagged messages, the minutes draft and its PDF and
// Word copies, phone-message memos, suggested edits, and the paper-saved figures checked
// against a hand count: a 12-page PDF opened by 5 members besides its author is 60 sheets, ¥148.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, uid, useServer } from './lib/harness.mjs';
import { makeOffice, makePdf } from './lib/pdf.mjs';

const { ctx, T } = useServer({ before, after, it });

const upload = (token, name, bytes, type = 'application/pdf') =>
  ctx.srv.api('POST', `/api/v1/files?name=${encodeURIComponent(name)}`, { token, raw: bytes, headers: { 'content-type': type } });
const dayJst = (offsetDays) => new Date(Date.now() + 9 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
const monthJst = () => dayJst(0).slice(0, 7);

let org, members, room, pdf, material;

before(async () => {
  await ctx.ready;
  const s = ctx.srv;
  org = await s.makeUser(null, uid('org'), { name: '山田 太郎', kana: 'やまだ たろう' });
  members = [];
  for (const [i, nm] of ['鈴木 花子', '佐藤 次郎', '高橋 三郎', '田中 四郎', '伊藤 五郎', '渡辺 六子'].entries()) {
    members.push(await s.makeUser(null, uid(`m${i}`), { name: nm }));
  }
  room = await s.makeRoom(org.token, '子育て支援検討会議', members.map((m) => m.id));
});

describe('notes', () => {
  T('a 12-page PDF counts its pages; the material template numbers itself per room; a card appears in the timeline', async () => {
    const s = ctx.srv;
    const f = assertStatus(await upload(org.token, '資料.pdf', makePdf(12)), 201, 'upload').json;
    assert.equal(f.type, 'application/pdf');
    assert.equal(f.pages, 12);
    assert.equal(f.pages_status, 'ok');
    pdf = f;
    const n1 = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, {
      token: org.token, body: { template: 'material', body: '## 概要\n\n- 第1案\n- 第2案\n\n| 項目 | 金額 |\n|---|---|\n| 保育 | 100 |', file_ids: [f.id] },
    }), 201).json;
    assert.equal(n1.title, '第1回 子育て支援検討会議 資料');
    assert.equal(n1.kind, 'material');
    assert.equal(n1.material_no, 1);
    assert.equal(n1.pages, 12);
    assert.equal(n1.version, 1);
    material = n1;
    const n2 = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, {
      token: org.token, body: { template: 'material', series: '予算部会' },
    }), 201).json;
    assert.equal(n2.title, '第2回 予算部会 資料');
    const hist = await s.history(org.token, room.id);
    const card = hist.find((m) => m.card?.type === 'note' && m.card.note_id === n1.id);
    assert.ok(card, 'a note card in the timeline');
    assert.equal(card.card.action, 'created');
    assert.match(card.text, /第1回 子育て支援検討会議 資料/);
    const list = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes`, { token: members[0].token }), 200).json.notes;
    assert.deepEqual(list.map((n) => n.id).sort(), [n1.id, n2.id].sort());
    assert.equal(list.find((n) => n.id === n1.id).opened, false);
    // A member of the room may download the attachment; someone outside may not.
    assertStatus(await s.api('GET', `/api/v1/files/${f.id}`, { token: members[0].token }), 200, 'member reads the material');
    const outsider = await s.makeUser(null, uid('out'));
    assertStatus(await s.api('GET', `/api/v1/files/${f.id}`, { token: outsider.token }), 404, 'outsider');
    assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes/${n1.id}`, { token: outsider.token }), 404, 'outsider note');
  });

  T('opening a note is recorded once per person; readers and non-readers; one reminder mentions those who have not', async () => {
    const s = ctx.srv;
    for (const m of members.slice(0, 5)) {
      const n = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes/${material.id}`, { token: m.token }), 200).json;
      assert.match(n.body, /第1案/);
    }
    // A second opening and the author's own do not add readers.
    await s.api('GET', `/api/v1/rooms/${room.id}/notes/${material.id}`, { token: members[0].token });
    await s.api('GET', `/api/v1/rooms/${room.id}/notes/${material.id}`, { token: org.token });
    const reads = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes/${material.id}/reads`, { token: org.token }), 200).json;
    assert.equal(reads.read.length, 5);
    assert.deepEqual(reads.unread.map((u) => u.id), [members[5].id]);
    const n = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes/${material.id}`, { token: members[1].token }), 200).json;
    assert.equal(n.read_count, 5);
    assert.equal(n.reader_total, 6);
    assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes/${material.id}/remind`, { token: members[1].token, body: {} }), 403, 'not the organiser');
    const rem = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes/${material.id}/remind`, { token: org.token, body: {} }), 200).json;
    assert.equal(rem.reminded, 1);
    const msg = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/messages/${rem.message_id}`, { token: org.token }), 200).json;
    assert.deepEqual(msg.mentions, [members[5].id]);
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/notes/${material.id}/remind`, { token: org.token, body: {} }), 409, 'conflict');
  });

  T('paper saved equals the hand count: 12 pages × 5 readers = 60 sheets, ¥148 at the default cost; CSV in UTF-8 with BOM and CP932', async () => {
    const s = ctx.srv;
    const m = monthJst();
    const r = assertStatus(await s.api('GET', `/api/v1/paper-saved?from=${m}&to=${m}`, { token: s.adminToken }), 200).json;
    assert.equal(r.sheets, 60);
    assert.equal(r.yen, 148);
    assert.deepEqual(r.by_month, [{ month: m, sheets: 60, yen: 148 }]);
    assert.equal(r.by_department.length, 1);
    assert.equal(r.by_department[0].sheets, 60);
    assert.ok(r.since_adoption.sheets >= 60);
    assertError(await s.api('GET', `/api/v1/paper-saved?from=${m}&to=${m}`, { token: members[0].token }), 403, 'forbidden');
    assertError(await s.api('GET', '/api/v1/paper-saved?from=2026-13', { token: s.adminToken }), 400, 'invalid_parameter');
    assertError(await s.api('GET', '/api/v1/paper-saved?from=2026-05&to=2026-01', { token: s.adminToken }), 400, 'invalid_parameter');
    const csv = assertStatus(await s.api('GET', `/api/v1/paper-saved?from=${m}&to=${m}&format=csv`, { token: s.adminToken }), 200);
    assert.match(csv.headers['content-type'], /text\/csv/);
    assert.deepEqual([...csv.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
    assert.match(csv.text, /"合計","",60,148\r\n$/);
    // The city sets its own cost per sheet; bad values are refused.
    assertError(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { paper_cost_per_sheet: -1 } }), 400, 'invalid_parameter');
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { paper_cost_per_sheet: 3.5 } }), 200);
    assert.equal(assertStatus(await s.api('GET', `/api/v1/paper-saved?from=${m}&to=${m}`, { token: s.adminToken }), 200).json.yen, 210);
    assertStatus(await s.api('PUT', '/api/v1/admin/settings', { token: s.adminToken, body: { paper_cost_per_sheet: 21643 / 8778 } }), 200);
    const sj = assertStatus(await s.api('GET', `/api/v1/paper-saved?from=${m}&to=${m}&format=csv&encoding=cp932`, { token: s.adminToken }), 200);
    const decoded = new TextDecoder('shift_jis').decode(sj.body);
    assert.match(decoded, /^"月","部署","削減枚数"/);
    assert.match(decoded, /"合計","",60,148/);
  });

  T('versions: an update makes version 2, a stale base is refused, earlier versions stay readable', async () => {
    const s = ctx.srv;
    const url = `/api/v1/rooms/${room.id}/notes/${material.id}`;
    const v2 = assertStatus(await s.api('PUT', url, { token: members[0].token, body: { title: material.title, body: '## 概要\n\n- 第1案（修正）', base_version: 1 } }), 200).json;
    assert.equal(v2.version, 2);
    assert.equal(v2.updated_by.id, members[0].id);
    assert.deepEqual(v2.files.map((f) => f.id), [pdf.id], 'attachments kept when file_ids is absent');
    assertError(await s.api('PUT', url, { token: members[1].token, body: { title: 'x', body: 'y', base_version: 1 } }), 409, 'version_conflict');
    const vs = assertStatus(await s.api('GET', `${url}/versions`, { token: members[1].token }), 200).json.versions;
    assert.deepEqual(vs.map((v) => v.version), [2, 1]);
    const v1 = assertStatus(await s.api('GET', `${url}/versions/1`, { token: members[1].token }), 200).json;
    assert.match(v1.body, /第2案/);
    assertStatus(await s.api('GET', `${url}/versions/9`, { token: members[1].token }), 404);
  });

  T('bad notes are refused naming the field and nothing is stored: raw HTML, javascript: links, long titles, unknown files', async () => {
    const s = ctx.srv;
    const before = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes`, { token: org.token }), 200).json.notes.length;
    const post = (body) => s.api('POST', `/api/v1/rooms/${room.id}/notes`, { token: org.token, body });
    let e = assertError(await post({ title: 'x', body: '本文 <script>alert(1)</script>' }), 400, 'invalid_parameter');
    assert.match(e.json.error.message, /body/);
    e = assertError(await post({ title: 'x', body: '[押して](javascript:alert(1))' }), 400, 'invalid_parameter');
    assert.match(e.json.error.message, /body/);
    assertError(await post({ title: 'x', body: '**[押して](JavaScript:alert(1))**' }), 400, 'invalid_parameter');
    assertError(await post({ title: 'あ'.repeat(201), body: '' }), 400, 'invalid_parameter');
    assertError(await post({ title: '  ', body: '' }), 400, 'invalid_parameter');
    assertError(await post({ title: 'x', body: 'あ'.repeat(50001) }), 400, 'invalid_parameter');
    assertError(await post({ title: 'x', file_ids: [999999] }), 400, 'invalid_parameter');
    assertError(await post({ title: 'x', kind: 'poster' }), 400, 'invalid_parameter');
    // Links that are allowed, and < in a code span, pass.
    assertStatus(await post({ title: 'リンク', body: '[市HP](https://www.city.example.jp/) と `a<b` と [資料](#/rooms/1)' }), 201);
    const afterList = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes`, { token: org.token }), 200).json.notes.length;
    assert.equal(afterList, before + 1);
  });

  T('a corrupt or password-protected PDF has an unknown page count, never zero, and is listed as unknown', async () => {
    const s = ctx.srv;
    const bad = assertStatus(await upload(org.token, '壊れた.pdf', Buffer.from('%PDF-1.4\nthis is not a pdf at all\n%%EOF\n')), 201).json;
    assert.equal(bad.pages, null);
    assert.equal(bad.pages_status, 'corrupt');
    const locked = assertStatus(await upload(org.token, '鍵付き.pdf', makePdf(3, { encrypted: true })), 201).json;
    assert.equal(locked.pages, null);
    assert.equal(locked.pages_status, 'encrypted');
    // Word and PowerPoint say how many pages and slides they have; a workbook does not.
    const counts = [['docx', 4, 4, 'ok'], ['pptx', 7, 7, 'ok'], ['xlsx', 2, null, 'unknown'], ['docx', null, null, 'unknown']];
    for (const [kind, n, pages, status] of counts) {
      const f = assertStatus(await upload(org.token, `資料.${kind}`, makeOffice(kind, n), 'application/octet-stream'), 201).json;
      assert.deepEqual([f.pages, f.pages_status], [pages, status], `${kind} with ${n}`);
    }
    const n = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, { token: org.token, body: { title: '不明な資料', file_ids: [bad.id] } }), 201).json;
    assert.equal(n.pages, null);
    await s.api('GET', `/api/v1/rooms/${room.id}/notes/${n.id}`, { token: members[2].token });
    const m = monthJst();
    const r = assertStatus(await s.api('GET', `/api/v1/paper-saved?from=${m}&to=${m}`, { token: s.adminToken }), 200).json;
    assert.equal(r.sheets, 60, 'the unknown note adds nothing');
    assert.deepEqual(r.unknown.map((u) => u.note_id), [n.id]);
    assert.equal(r.unknown[0].title, '不明な資料');
    // A department administrator outside the room sees that a note is unknown, not its title.
    const da = await s.makeUser(null, uid('da'));
    assertStatus(await s.api('PATCH', `/api/v1/admin/users/${da.id}`, { token: s.adminToken, body: { dept_admin: true } }), 200);
    const dr = assertStatus(await s.api('GET', `/api/v1/paper-saved?from=${m}&to=${m}`, { token: da.token }), 200).json;
    assert.equal(dr.sheets, 60);
    assert.equal(dr.unknown[0].title, null);
  });
});

describe('meetings', () => {
  let meeting, question, answer, decision, action;
  T('a meeting with agenda and material; questions, answers, decisions and actions tagged; bad tags refused', async () => {
    const s = ctx.srv;
    const starts = new Date(Date.now() - 600e3).toISOString();
    meeting = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/meetings`, {
      token: org.token, body: { title: '第1回 子育て支援検討会議', starts_at: starts, place: '第2会議室', agenda: ['保育所の定員', '来年度予算'], note_ids: [material.id] },
    }), 201).json;
    assert.deepEqual(meeting.agenda, ['保育所の定員', '来年度予算']);
    assert.deepEqual(meeting.materials.map((n) => n.id), [material.id]);
    const [b, c] = members;
    question = await s.send(b.token, room.id, '定員を増やす場合の保育士の確保はどうしますか');
    const q = assertStatus(await s.api('PUT', `/api/v1/rooms/${room.id}/messages/${question.id}/tag`, { token: b.token, body: { tag: 'question' } }), 200).json;
    assert.deepEqual([q.tag.code, q.tag.label, q.tag.meeting_id], ['question', '質問', meeting.id]);
    answer = await s.send(org.token, room.id, '県の補助を使って募集します');
    decision = await s.send(org.token, room.id, '来年度の定員を20名増やす予算案を承認する');
    action = await s.send(org.token, room.id, '募集要項の案を作成する');
    const tag = (m, body, token = org.token) => s.api('PUT', `/api/v1/rooms/${room.id}/messages/${m.id}/tag`, { token, body });
    assertError(await tag(answer, { tag: 'answer' }), 400, 'invalid_parameter');
    assertError(await tag(answer, { tag: 'answer', answer_to: decision.id }), 400, 'invalid_parameter');
    assertStatus(await tag(answer, { tag: 'answer', answer_to: question.id }), 200);
    assertStatus(await tag(decision, { tag: 'decision' }), 200);
    assertError(await tag(action, { tag: 'action', assignee_id: b.id, due_date: dayJst(-1) }), 400, 'invalid_parameter');
    assertError(await tag(action, { tag: 'action', assignee_id: b.id, due_date: '2026-02-30' }), 400, 'invalid_parameter');
    const outsider = await s.makeUser(null, uid('nm'));
    assertError(await tag(action, { tag: 'action', assignee_id: outsider.id, due_date: dayJst(7) }), 400, 'invalid_parameter');
    assertError(await tag(action, { tag: 'praise' }), 400, 'invalid_parameter');
    assertError(await tag(action, { tag: 'decision' }, c.token), 403, 'forbidden');
    const a = assertStatus(await tag(action, { tag: 'action', assignee_id: b.id, due_date: dayJst(7) }), 200).json;
    assert.equal(a.tag.assignee.id, b.id);
    assert.equal(a.tag.due_date, dayJst(7));
    const got = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/meetings/${meeting.id}`, { token: c.token }), 200).json;
    assert.deepEqual(got.tag_counts, { question: 1, answer: 1, decision: 1, action: 1 });
    assert.ok(got.attendees.some((u) => u.id === b.id));
  });

  T('the minutes draft holds the question with its answer, the decision and the action with assignee and due date', async () => {
    const s = ctx.srv;
    const d = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/meetings/${meeting.id}/minutes-draft`, { token: org.token, body: {} }), 200).json;
    assert.equal(d.title, '第1回 子育て支援検討会議 議事録');
    assert.match(d.body, /^# 第1回 子育て支援検討会議 議事録/);
    assert.match(d.body, /場所: 第2会議室/);
    assert.match(d.body, /1\. 保育所の定員/);
    assert.match(d.body, /\*\*質問\*\*（鈴木 花子）: 定員を増やす場合/);
    assert.match(d.body, /\*\*回答\*\*（山田 太郎）: 県の補助を使って募集します/);
    assert.match(d.body, /## 決定事項\n\n- 来年度の定員を20名増やす予算案を承認する/);
    const due = dayJst(7).split('-').map(Number);
    assert.match(d.body, new RegExp(`\\| 募集要項の案を作成する \\| 鈴木 花子 \\| ${due[1]}月${due[2]}日 \\|`));
    assert.match(d.body, new RegExp(`\\[第1回 子育て支援検討会議 資料\\]\\(#/r/${room.id}/notes/${material.id}\\)`));
    assert.match(d.body, /出席者: .*鈴木 花子/);
    // The organiser edits a line and posts the minutes back as a note.
    const body = d.body.replace('県の補助を使って募集します', '県の補助金を活用して募集します');
    const minutes = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, {
      token: org.token, body: { title: d.title, body, kind: 'minutes', meeting_id: meeting.id },
    }), 201).json;
    assert.equal(minutes.kind, 'minutes');
    const m = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/meetings/${meeting.id}`, { token: org.token }), 200).json;
    assert.equal(m.minutes_note_id, minutes.id);

    // PDF: A4, and pdftotext finds the decision's words in Japanese.
    const dir = mkdtempSync(join(tmpdir(), 'minutes-'));
    try {
      const p = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes/${minutes.id}/pdf`, { token: members[1].token }), 200);
      assert.equal(p.headers['content-type'], 'application/pdf');
      assert.match(p.headers['content-disposition'], /^attachment; .*filename\*=UTF-8''/);
      writeFileSync(join(dir, 'm.pdf'), p.body);
      const text = execFileSync('pdftotext', ['-layout', join(dir, 'm.pdf'), '-'], { encoding: 'utf8' });
      assert.match(text.replace(/\s+/g, ''), /来年度の定員を20名増やす予算案を承認する/);
      assert.match(text.replace(/\s+/g, ''), /県の補助金を活用して募集します/);
      const info = execFileSync('pdfinfo', [join(dir, 'm.pdf')], { encoding: 'utf8' });
      assert.match(info, /Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)/);
      // Word: a valid zip whose document text holds the same words.
      const w = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/notes/${minutes.id}/docx`, { token: members[1].token }), 200);
      assert.match(w.headers['content-type'], /wordprocessingml/);
      writeFileSync(join(dir, 'm.docx'), w.body);
      execFileSync('unzip', ['-tq', join(dir, 'm.docx')]);
      const xml = execFileSync('unzip', ['-p', join(dir, 'm.docx'), 'word/document.xml'], { encoding: 'utf8' });
      const words = [...xml.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((x) => x[1]).join('');
      assert.match(words, /来年度の定員を20名増やす予算案を承認する/);
      assert.match(words, /募集要項の案を作成する/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  T('notes are found by search (title and body), only by members; tag:決定 finds the decisions; a deleted note leaves the index', async () => {
    const s = ctx.srv;
    const search = async (token, q, extra = '') => assertStatus(await s.api('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, { token }), 200).json.results;
    const hits = await search(members[1].token, '承認', '&type=note');
    const minutes = hits.find((h) => h.type === 'note' && h.note.kind === 'minutes');
    assert.ok(minutes, 'the minutes note is found by a word of its body');
    assert.match(minutes.snippet, /承認/);
    assert.equal(minutes.room_id, room.id);
    const byTitle = await search(members[1].token, '子育て支援検討会議 資料', '&type=note');
    assert.ok(byTitle.some((h) => h.note?.id === material.id), 'found by its title');
    const outsider = await s.makeUser(null, uid('ns'));
    assert.equal((await search(outsider.token, '承認', '&type=note')).length, 0, 'not a member: nothing');
    const decided = await search(members[1].token, '定員 tag:決定');
    assert.deepEqual(decided.map((h) => h.message?.text), ['来年度の定員を20名増やす予算案を承認する']);
    const byParam = await search(members[1].token, '定員', '&tag=decision');
    assert.equal(byParam.length, 1);
    assertStatus(await s.api('GET', `/api/v1/search?q=x&tag=praise`, { token: members[1].token }), 400);
    const temp = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, { token: org.token, body: { title: '一時的なメモ', body: '削除予定の検索語ぬばたま' } }), 201).json;
    assert.equal((await search(org.token, 'ぬばたま', '&type=note')).length, 1);
    assertStatus(await s.api('DELETE', `/api/v1/rooms/${room.id}/notes/${temp.id}`, { token: org.token }), 204);
    assert.equal((await search(org.token, 'ぬばたま', '&type=note')).length, 0, 'gone once the deletion is answered');
  });

  T('a thread exports as a record for formal approval (決裁): the message, its replies and their tags, in PDF and Word', async () => {
    const s = ctx.srv;
    const root = await s.send(org.token, room.id, '来年度の保育所整備の方針について');
    const reply = await s.send(members[0].token, room.id, '第2案で進めることに賛成します', { reply_to: root.id });
    await s.send(members[1].token, room.id, '別の話題です');
    assertStatus(await s.api('PUT', `/api/v1/rooms/${room.id}/messages/${reply.id}/tag`, { token: org.token, body: { tag: 'decision' } }), 200);
    const dir = mkdtempSync(join(tmpdir(), 'record-'));
    try {
      const p = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/messages/${root.id}/record`, { token: members[2].token }), 200);
      assert.equal(p.headers['content-type'], 'application/pdf');
      writeFileSync(join(dir, 'r.pdf'), p.body);
      const text = execFileSync('pdftotext', [join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      assert.match(text, /決裁用記録/);
      assert.match(text, /来年度の保育所整備の方針について/);
      assert.match(text, /\[決定\]:第2案で進めることに賛成します/);
      assert.doesNotMatch(text, /別の話題です/, 'only the thread');
      const w = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/messages/${root.id}/record?format=docx`, { token: org.token }), 200);
      writeFileSync(join(dir, 'r.docx'), w.body);
      const xml = execFileSync('unzip', ['-p', join(dir, 'r.docx'), 'word/document.xml'], { encoding: 'utf8' });
      assert.match(xml, /第2案で進めることに賛成します/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assertError(await s.api('GET', `/api/v1/rooms/${room.id}/messages/${root.id}/record?format=xls`, { token: org.token }), 400, 'invalid_parameter');
    const outsider = await s.makeUser(null, uid('rec'));
    assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/messages/${root.id}/record`, { token: outsider.token }), 404);
  });

  T('bad meetings are refused: no title, a time that is not a time, an end before the start, a note of another room', async () => {
    const s = ctx.srv;
    const post = (body) => s.api('POST', `/api/v1/rooms/${room.id}/meetings`, { token: org.token, body });
    const now = new Date().toISOString();
    assertError(await post({ starts_at: now }), 400, 'invalid_parameter');
    assertError(await post({ title: '会議', starts_at: '明日の午後' }), 400, 'invalid_parameter');
    assertError(await post({ title: '会議', starts_at: now, ends_at: new Date(Date.now() - 3600e3).toISOString() }), 400, 'invalid_parameter');
    assertError(await post({ title: '会議', starts_at: now, agenda: 'ひとつ' }), 400, 'invalid_parameter');
    const other = await s.makeRoom(org.token, '別の部屋', []);
    const n = assertStatus(await s.api('POST', `/api/v1/rooms/${other.id}/notes`, { token: org.token, body: { title: '別室のノート' } }), 201).json;
    assertError(await post({ title: '会議', starts_at: now, note_ids: [n.id] }), 400, 'invalid_parameter');
    const list = assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/meetings`, { token: org.token }), 200).json.meetings;
    assert.equal(list.length, 1, 'nothing half-written');
    assertStatus(await s.api('PATCH', `/api/v1/rooms/${room.id}/meetings/${meeting.id}`, { token: members[2].token, body: { place: 'x' } }), 403);
  });
});

describe('memos', () => {
  T('a memo for an absent colleague arrives as a card in the direct room; only they confirm it, once; the taker sees it confirmed', async () => {
    const s = ctx.srv;
    const [taker, absent] = [members[3], members[4]];
    assertStatus(await s.api('PATCH', '/api/v1/me', { token: absent.token, body: { absent: { until: new Date(Date.now() + 3 * 3600e3).toISOString(), note: '出張' } } }), 200);
    const memo = assertStatus(await s.api('POST', '/api/v1/memos', {
      token: taker.token,
      body: { for_user_id: absent.id, caller_name: '中村', caller_org: '県庁 子ども家庭課', callback_number: '077-528-0000', request: 'callback', body: '補助金の件でご相談したいそうです' },
    }), 201).json;
    assert.equal(memo.confirmed_at, null);
    assert.equal(memo.for_user.id, absent.id);
    const hist = await s.history(absent.token, memo.room_id);
    const card = hist.find((m) => m.id === memo.message_id);
    assert.equal(card.card.type, 'memo');
    assert.equal(card.card.request_label, '折り返し電話ください');
    assert.match(card.text, /中村 様から電話がありました/);
    const inbox = assertStatus(await s.api('GET', '/api/v1/memos?box=inbox&unconfirmed=1', { token: absent.token }), 200).json.memos;
    assert.deepEqual(inbox.map((m) => m.id), [memo.id]);
    assertError(await s.api('POST', `/api/v1/memos/${memo.id}/confirm`, { token: taker.token, body: {} }), 403, 'forbidden');
    assertStatus(await s.api('POST', `/api/v1/memos/${memo.id}/confirm`, { token: members[0].token, body: {} }), 404, 'someone else');
    const ok = assertStatus(await s.api('POST', `/api/v1/memos/${memo.id}/confirm`, { token: absent.token, body: {} }), 200).json;
    assert.ok(ok.confirmed_at);
    assertError(await s.api('POST', `/api/v1/memos/${memo.id}/confirm`, { token: absent.token, body: {} }), 409, 'conflict');
    const taken = assertStatus(await s.api('GET', '/api/v1/memos?box=taken', { token: taker.token }), 200).json.memos;
    assert.equal(taken.find((m) => m.id === memo.id).confirmed_at, ok.confirmed_at);
    const after = assertStatus(await s.api('GET', `/api/v1/rooms/${memo.room_id}/messages/${memo.message_id}`, { token: taker.token }), 200).json;
    assert.equal(after.card.confirmed_at, ok.confirmed_at, 'the card shows it confirmed');
    assert.equal(assertStatus(await s.api('GET', '/api/v1/memos?box=inbox&unconfirmed=1', { token: absent.token }), 200).json.memos.length, 0);
  });

  T('memos for someone who is not a colleague, or with bad fields, are refused', async () => {
    const s = ctx.srv;
    const taker = members[3];
    const post = (body) => s.api('POST', '/api/v1/memos', { token: taker.token, body: { caller_name: '中村', request: 'callback', ...body } });
    assertError(await post({ for_user_id: taker.id }), 400, 'invalid_parameter');
    assertError(await post({ for_user_id: 999999 }), 400, 'invalid_parameter');
    const account = await s.makeUser(null, uid('acct'), { kind: 'department' });
    assertError(await post({ for_user_id: account.id }), 400, 'invalid_parameter');
    assertError(await post({ for_user_id: members[0].id, request: 'fax' }), 400, 'invalid_parameter');
    assertError(await post({ for_user_id: members[0].id, callback_number: 'ぜろなな' }), 400, 'invalid_parameter');
    assertError(await post({ for_user_id: members[0].id, caller_name: '' }), 400, 'invalid_parameter');
    assertEqualInbox(await s.api('GET', '/api/v1/memos?box=inbox', { token: members[0].token }));
    function assertEqualInbox(r) { assert.equal(assertStatus(r, 200).json.memos.length, 0); }
  });
});

describe('good practices (R25)', () => {
  T('in an announcement room members suggest edits and the owners accept them as a new version', async () => {
    const s = ctx.srv;
    const owner = s.adminToken; // announcement rooms are made by administrators
    const guide = await s.makeRoom(owner, '業務改善・好事例', members.map((m) => m.id), { kind: 'announcement' });
    const n = assertStatus(await s.api('POST', `/api/v1/rooms/${guide.id}/notes`, { token: owner, body: { title: 'チャット活用ガイド', body: '会議資料はノートで共有します。' } }), 201).json;
    assertError(await s.api('POST', `/api/v1/rooms/${guide.id}/notes`, { token: members[0].token, body: { title: '勝手に' } }), 403, 'forbidden');
    assertError(await s.api('PUT', `/api/v1/rooms/${guide.id}/notes/${n.id}`, { token: members[0].token, body: { title: 'x', body: 'y', base_version: 1 } }), 403, 'forbidden');
    const sg = assertStatus(await s.api('POST', `/api/v1/rooms/${guide.id}/notes/${n.id}/suggestions`, { token: members[0].token, body: { title: 'チャット活用ガイド', body: '会議資料はノートで共有し、紙は配りません。' } }), 201).json;
    assertError(await s.api('POST', `/api/v1/rooms/${guide.id}/notes/${n.id}/suggestions/${sg.id}/accept`, { token: members[1].token, body: {} }), 403, 'forbidden');
    const v2 = assertStatus(await s.api('POST', `/api/v1/rooms/${guide.id}/notes/${n.id}/suggestions/${sg.id}/accept`, { token: owner, body: {} }), 200).json;
    assert.equal(v2.version, 2);
    assert.match(v2.body, /紙は配りません/);
    assert.equal(v2.updated_by.id, members[0].id, '最終更新 names whose words these are');
    assertError(await s.api('POST', `/api/v1/rooms/${guide.id}/notes/${n.id}/suggestions/${sg.id}/reject`, { token: owner, body: {} }), 409, 'conflict');
    const list = assertStatus(await s.api('GET', `/api/v1/rooms/${guide.id}/notes/${n.id}/suggestions`, { token: owner }), 200).json.suggestions;
    assert.equal(list[0].status, 'accepted');
  });
});
