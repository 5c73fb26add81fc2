// Paperless meetings in the browser (R10–R12, R23, R24): an organiser writes a meeting material
// with a PDF attached and a meeting around it; two members open it; a question is asked, answered
// and a decision recorded with tags; the organiser drafts the minutes, edits a line and posts
// them; a memo is taken for an absent colleague who confirms it; the dashboard shows the sheets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, shot, seeText, until } from './lib/server.mjs';
import { makePdf } from '../api/lib/pdf.mjs';

let srv, br, people, roomId;
before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  br = await browser();
  const tok = await srv.tokenOf(people[0]);
  roomId = (await srv.api('POST', '/api/v1/rooms', { name: '子育て支援検討会議', member_ids: [people[1].id, people[2].id, people[3].id] }, tok)).json.id;
});
after(async () => { await br?.close(); await srv?.destroy(); });

const say = async (p, text) => { const c = p.locator('.composer textarea'); await c.fill(text); await c.press('Enter'); };

test('material, meeting, tags, minutes drafted and posted, a memo confirmed, paper saved shown', async () => {
  const A = await staff(br, srv, people[0]);
  const p = A.page;
  await p.locator('a.room', { hasText: '子育て支援検討会議' }).click();
  await p.locator('a.notes-link').click();
  await p.getByRole('link', { name: '会議資料を作成' }).click();
  await p.locator('textarea.md-in').fill('## 論点\n\n- 保育所の定員\n- 保育士の確保\n\n| 項目 | 案 |\n|---|---|\n| 定員 | 20名増 |');
  await seeText(p.locator('.md-preview'), /保育士の確保/);
  await p.locator('.editor input[type=file]').setInputFiles({ name: '定員案.pdf', mimeType: 'application/pdf', buffer: makePdf(3) });
  await seeText(p.locator('.editor .files'), /3ページ/);
  await p.locator('button.save').click();
  await seeText(p.locator('.page-head h1'), /第1回 子育て支援検討会議 資料/);
  await seeText(p.locator('.note-body'), /保育士の確保/);
  assert.equal(await p.locator('.note-body table th').count(), 2, 'the table is rendered');
  const noteId = Number(/notes\/(\d+)/.exec(p.url())[1]);

  // The meeting, with the material.
  await p.goto(`${srv.url}/#/r/${roomId}/notes`);
  await p.getByRole('button', { name: '会議を作成' }).click();
  const dlg = p.locator('dialog');
  await dlg.getByLabel('題名').fill('第1回 子育て支援検討会議');
  await dlg.getByLabel('場所').fill('第2会議室');
  await dlg.getByLabel('議題').fill('保育所の定員\n来年度予算');
  await dlg.locator('label.check', { hasText: '第1回 子育て支援検討会議 資料' }).locator('input').check();
  await dlg.getByRole('button', { name: '作成' }).click();
  await seeText(p.locator('.meeting .page-head h1'), /第1回 子育て支援検討会議/);
  const meetingId = Number(/meetings\/(\d+)/.exec(p.url())[1]);

  // Two members open the material: one in the browser, one through the API.
  const B = await staff(br, srv, people[1]);
  await B.page.goto(`${srv.url}/#/r/${roomId}/notes/${noteId}`);
  await seeText(B.page.locator('.note-body'), /保育士の確保/);
  await srv.api('GET', `/api/v1/rooms/${roomId}/notes/${noteId}`, undefined, await srv.tokenOf(people[2]));
  await p.goto(`${srv.url}/#/r/${roomId}/notes/${noteId}`);
  await seeText(p.locator('.reads h2'), /既読 2 \/ 3 人/);
  await seeText(p.locator('.reads'), /高橋 美咲/);
  await shot(p, 'desktop-note');

  // 佐藤 asks a question from the meeting page; 山田 answers and records a decision, tagging both in the browser.
  await B.page.goto(`${srv.url}/#/r/${roomId}/meetings/${meetingId}`);
  await B.page.locator('textarea.ask-text').fill('保育士はどう確保しますか');
  await B.page.locator('button.ask-q').click();
  await seeText(B.page.locator('.meeting'), /保育士はどう確保しますか/);
  const bt = await srv.tokenOf(people[1]);
  const q = (await srv.api('GET', `/api/v1/rooms/${roomId}/meetings/${meetingId}`, undefined, bt)).json.tagged.find((x) => x.tag === 'question');
  q.id = q.message_id;
  await p.locator('a.room', { hasText: '子育て支援検討会議' }).click();
  await say(p, '県の補助を使って募集します');
  await say(p, '定員を20名増やす案で進める');
  const tagAs = async (text, label, extra) => {
    const m = p.locator('.tl-list .msg', { hasText: text });
    await m.hover();
    await m.locator('button.tagbtn').click();
    const d = p.locator('dialog');
    await d.locator('label.check', { hasText: label }).locator('input').check();
    if (extra) await extra(d);
    await d.getByRole('button', { name: '保存' }).click();
    await seeText(m.locator('.mtag'), new RegExp(label));
  };
  await tagAs('県の補助を使って募集します', '回答', async (d) => { await d.getByLabel('回答する質問').selectOption(String(q.id)); });
  await tagAs('定員を20名増やす案で進める', '決定');

  // The minutes: drafted from the room, one line edited, posted back as a note.
  await p.goto(`${srv.url}/#/r/${roomId}/meetings/${meetingId}`);
  await p.locator('button.draft').click();
  const ta = p.locator('textarea.md-in');
  await until(async () => /定員を20名増やす案で進める/.test(await ta.inputValue()), 10000, 'the decision in the draft');
  assert.match(await ta.inputValue(), /\*\*質問\*\*（佐藤 花子）: 保育士はどう確保しますか/);
  await ta.fill((await ta.inputValue()).replace('県の補助を使って募集します', '県の補助金を活用して募集します'));
  await seeText(p.locator('.md-preview'), /県の補助金を活用して募集します/);
  await shot(p, 'desktop-minutes-draft');
  await p.locator('button.save').click();
  await seeText(p.locator('.page-head h1'), /議事録/);
  await seeText(p.locator('.note-body'), /県の補助金を活用して募集します/);
  const meeting = (await srv.api('GET', `/api/v1/rooms/${roomId}/meetings/${meetingId}`, undefined, await srv.tokenOf(people[0]))).json;
  assert.ok(meeting.minutes_note_id, 'the minutes are the meeting\'s');

  // A memo for 田中, who is away; 田中 confirms it.
  const tt = await srv.tokenOf(people[4]);
  await srv.api('PATCH', '/api/v1/me', { absent: { until: new Date(Date.now() + 2 * 3600e3).toISOString(), note: '出張' } }, tt);
  const C = await staff(br, srv, people[3]);
  await C.page.locator('.nav a', { hasText: '伝言メモ' }).click();
  await C.page.locator('input.memo-to').fill('たなか');
  await C.page.locator('.memo-found button', { hasText: '田中 健' }).click();
  await seeText(C.page.locator('.memo-chosen'), /不在.*出張/);
  await C.page.getByLabel('相手のお名前').fill('中村');
  await C.page.getByLabel('会社・団体名').fill('県庁 子ども家庭課');
  await C.page.getByLabel('折り返し先').fill('077-528-0000');
  await C.page.getByLabel('用件', { exact: true }).fill('補助金の件でご相談');
  await C.page.locator('button.send-memo').click();
  await seeText(C.page.locator('.memo-item'), /中村 様/);
  const D = await staff(br, srv, people[4]);
  await seeText(D.page.locator('.nav .memo-n'), /^1$/);
  await D.page.locator('.nav a', { hasText: '伝言メモ' }).click();
  const item = D.page.locator('.memo-item', { hasText: '中村 様' });
  await seeText(item, /折り返し電話ください/);
  await item.getByRole('button', { name: '確認' }).click();
  await seeText(D.page.locator('.memo-item', { hasText: '中村 様' }), /確認済み/);
  await D.page.locator('.nav .memo-n').waitFor({ state: 'hidden' });
  await C.page.reload();
  await seeText(C.page.locator('.memo-item', { hasText: '中村 様' }), /確認済み/);

  // The dashboard: 3 pages × 2 readers = 6 sheets.
  const Z = await staff(br, srv, { login: 'admin', password: srv.adminPassword });
  await Z.page.locator('.nav a', { hasText: '紙削減' }).click();
  await seeText(Z.page.locator('.paper .total').first(), /6枚/);
  await Z.page.locator('.paper-chart rect').last().waitFor();
  await shot(Z.page, 'desktop-paper-saved');
  for (const s of [A, B, C, D, Z]) assert.deepEqual(s.errors, []);
});
