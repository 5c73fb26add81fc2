// People: directory search by extension and a 1対1 from it; creating a room with members;
// profile edit and 不在 seen by a colleague.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, seeText, until, shot } from './lib/server.mjs';

let srv, br, A, B, people;
before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  br = await browser();
  A = await staff(br, srv, people[0]);
  B = await staff(br, srv, people[1]);
});
after(async () => { await br?.close(); await srv?.destroy(); });

test('アドレス帳 finds a colleague by extension and starts a 1対1', async () => {
  const p = A.page;
  await p.getByRole('link', { name: 'アドレス帳' }).click();
  const q = p.locator('input.dirq');
  await q.fill('2301');
  const rows = p.locator('table.dir tbody tr');
  await until(async () => (await rows.count()) === 1 && /鈴木 一郎/.test(await rows.first().innerText()), 5000, 'one row: 鈴木 一郎');
  await q.fill('たかはし'); // reading
  await seeText(rows.first(), /高橋 美咲/);
  await q.fill('');
  await until(async () => (await rows.count()) >= 5, 5000, 'everyone listed');
  await shot(p, 'desktop-directory');
  await q.fill('2301');
  await seeText(rows.first(), /鈴木 一郎/);
  await rows.first().getByRole('button', { name: '1対1トーク' }).click();
  await seeText(p.locator('.tl-head .rtitle'), /鈴木 一郎/);
  await p.locator('.composer textarea').fill('内線2301の件でご相談です');
  await p.locator('.composer textarea').press('Enter');
  await p.locator('.tl-list .msg', { hasText: '内線2301の件' }).waitFor();
  const direct = (await srv.api('GET', '/api/v1/rooms', undefined, await srv.tokenOf(people[2]))).json.rooms.find((r) => r.kind === 'direct');
  assert.ok(direct, 'the colleague has the 1対1');
  assert.equal(direct.unread, 1);
});

test('creating a room with members picked from the directory', async () => {
  const p = A.page;
  await p.locator('.rooms-head button[aria-label="ルームを作成"]').click();
  const d = p.locator('dialog.modal');
  await d.locator('input[name=name]').fill('防災訓練の準備');
  await d.locator('textarea[name=topic]').fill('11月の総合防災訓練');
  const q = d.locator('fieldset input[type=search]');
  for (const name of ['佐藤 花子', '田中 健']) {
    await q.fill(name.split(' ')[0]);
    await d.locator('label.pickrow', { hasText: name }).locator('input[type=checkbox]').check();
  }
  await seeText(d.locator('legend'), /選択中 2人/);
  await d.getByRole('button', { name: '作成' }).click();
  await seeText(p.locator('.tl-head .rtitle'), /防災訓練の準備/);
  // B sees it appear live and can open it
  await B.page.locator('a.room', { hasText: '防災訓練の準備' }).click();
  await seeText(B.page.locator('.pane-details'), /田中 健/);
  await seeText(B.page.locator('.pane-details'), /メンバー 3人/);
});

test('creating a room with a whole department picked from the tree', async () => {
  const p = A.page;
  await p.locator('.rooms-head button[aria-label="ルームを作成"]').click();
  const d = p.locator('dialog.modal');
  await d.locator('input[name=name]').fill('予算ヒアリング');
  await d.locator('fieldset select').selectOption({ label: '財政部 財政課' });
  await until(async () => {
    const t = await d.locator('label.pickrow').allInnerTexts();
    return t.length >= 2 && t.every((x) => /財政課/.test(x));
  }, 5000, 'only 財政課 listed');
  const n = await d.locator('label.pickrow').count();
  await d.getByRole('button', { name: '表示中の全員を選択' }).click();
  await seeText(d.locator('legend'), new RegExp(`選択中 ${n}人`));
  await d.getByRole('button', { name: '作成' }).click();
  await seeText(p.locator('.tl-head .rsub'), new RegExp(`メンバー ${n + 1}人`));
});

test('profile edit and 不在 with a return time and note', async () => {
  const p = B.page;
  await p.locator('a.me').click();
  const f = p.locator('form.card').first();
  await f.locator('input[name=extension]').fill('4321');
  await f.locator('input[name=title]').fill('主任主査');
  await f.getByRole('button', { name: '保存' }).click();
  await seeText(f.locator('.ok'), /保存しました/);
  const a = p.locator('form.card').nth(1);
  await a.locator('input[name=until]').fill('2030-04-01T08:30');
  await a.locator('input[name=note]').fill('出張');
  await a.getByRole('button', { name: '不在を設定' }).click();
  await seeText(p.locator('.page'), /不在.*出張/s);
  // A sees the new extension and the 不在 in the directory
  await A.page.getByRole('link', { name: 'アドレス帳' }).click();
  await A.page.locator('input.dirq').fill('4321');
  const row = A.page.locator('table.dir tbody tr').first();
  await seeText(row, /佐藤 花子[\s\S]*出張[\s\S]*主任主査/);
  assert.equal(await row.locator('.dot').getAttribute('class'), 'dot absent');
  await B.page.locator('form.card').nth(1).getByRole('button', { name: '不在を解除' }).click();
  await until(async () => (await B.page.locator('form.card').nth(1).innerText()).indexOf('不在を解除') < 0, 5000, '不在 cleared');
});

test('the session survives a reload; drafts are kept per room', async () => {
  const p = A.page;
  await p.getByRole('link', { name: 'トーク' }).click();
  await p.locator('a.room', { hasText: '防災訓練の準備' }).click();
  const ta = p.locator('.composer textarea');
  await ta.fill('あとで送る下書き');
  await p.locator('a.room', { hasText: '鈴木 一郎' }).click();
  await seeText(p.locator('.tl-head .rtitle'), /鈴木 一郎/);
  assert.equal(await ta.inputValue(), '');
  await p.locator('a.room', { hasText: '防災訓練の準備' }).click();
  await seeText(p.locator('.tl-head .rtitle'), /防災訓練の準備/);
  assert.equal(await ta.inputValue(), 'あとで送る下書き');
  await until(() => p.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('kairan.draft.'))), 3000, 'draft saved');
  await p.reload();
  await seeText(p.locator('.tl-head .rtitle'), /防災訓練の準備/);
  assert.equal(await p.locator('form.login').count(), 0, 'still logged in');
  assert.equal(await ta.inputValue(), 'あとで送る下書き');
  await ta.fill('');
});

test("desktop notification for a colleague's message, not one's own; favicon badge", async () => {
  const p = B.page;
  await p.evaluate(() => {
    window.__notes = [];
    window.Notification = class { static permission = 'granted'; static requestPermission() { return Promise.resolve('granted'); }
      constructor(title, o) { window.__notes.push({ title, body: o.body }); } close() {} };
  });
  await p.getByRole('link', { name: 'アドレス帳' }).click();
  const rid = (await A.page.url()).match(/#\/r\/(\d+)/)[1];
  const tb = await srv.tokenOf(people[1]);
  await srv.api('POST', `/api/v1/rooms/${rid}/messages`, { text: '自分の送信', client_msg_id: 'own1' }, tb);
  await A.page.locator('.composer textarea').fill('訓練の集合場所は正面玄関です');
  await A.page.locator('.composer textarea').press('Enter');
  const notes = await until(() => p.evaluate(() => window.__notes.length && window.__notes), 5000, 'a notification');
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.match(notes[0].title, /山田 太郎/);
  assert.match(notes[0].body, /正面玄関/);
  await until(() => p.evaluate(() => document.querySelector('link[rel=icon]').getAttribute('href') === '/favicon-unread.svg'), 5000, 'favicon badge');
  assert.match(await p.title(), /^\(1\) /);
});

test('keyboard: arrows move through rooms and messages, focus is visible', async () => {
  const p = A.page;
  await p.getByRole('link', { name: 'トーク' }).click();
  const rooms = p.locator('a.room');
  await rooms.first().focus();
  await p.keyboard.press('ArrowDown');
  const href = await rooms.nth(1).getAttribute('href');
  assert.equal(await p.evaluate(() => document.activeElement.getAttribute('href')), href);
  assert.notEqual(await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none', 'focus ring');
  await p.keyboard.press('Enter');
  await until(() => p.url().endsWith(href), 5000, 'room opened by keyboard');
  await p.locator('.tl-list .msg').first().waitFor();
  await p.locator('.tl').focus();
  await p.keyboard.press('ArrowUp');
  assert.equal(await p.evaluate(() => document.activeElement.classList.contains('msg')), true, 'a message has focus');
  assert.notEqual(await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none', 'focus ring on the message');
});

test('no console errors', () => {
  assert.deepEqual(A.errors, []);
  assert.deepEqual(B.errors, []);
});
