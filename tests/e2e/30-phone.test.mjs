// Phone width (375 px): one pane at a time and never a horizontal scrollbar.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, seeText, shot } from './lib/server.mjs';

let srv, br, P, people, room;
before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  const [a, b, c] = people;
  const ta = await srv.tokenOf(a), tb = await srv.tokenOf(b);
  room = (await srv.api('POST', '/api/v1/rooms', { name: '令和9年度予算要求（財政課・総務課合同の長い名前のルーム）', topic: '財政課との調整', member_ids: [b.id, c.id] }, ta)).json;
  const lines = ['来週の会議資料を共有します。ご確認をお願いします。', '承知しました', 'https://intra.example.lg.jp/docs/very/long/path/that/should/wrap/without/overflowing/the/phone/screen/at/all/0123456789',
    'とても長い一行のメッセージでも横にはみ出さずに折り返して表示されることを確認します。とても長い一行のメッセージでも横にはみ出さずに折り返して表示されます。'];
  let i = 0;
  for (const text of lines) await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text, client_msg_id: 'p' + i++ }, i % 2 ? ta : tb);
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '', stamp: 'arigato', client_msg_id: 'ps' }, tb);
  // a few more rooms so the list looks lived-in: a 1対1 with unread, a group with a mention
  const d = (await srv.api('POST', '/api/v1/rooms/direct', { user_id: a.id }, tb)).json;
  await srv.api('POST', `/api/v1/rooms/${d.id}/messages`, { text: '午後の打ち合わせは第3会議室です', client_msg_id: 'pd' }, tb);
  const tc = await srv.tokenOf(c);
  const g = (await srv.api('POST', '/api/v1/rooms', { name: '防災訓練の準備', member_ids: [a.id, b.id] }, tc)).json;
  await srv.api('POST', `/api/v1/rooms/${g.id}/messages`, { text: '@山田 太郎 集合場所の確認をお願いします', mentions: [a.id], client_msg_id: 'pg' }, tc);
  br = await browser();
});
after(async () => { await br?.close(); await srv?.destroy(); });

async function noOverflow(page, what) {
  const r = await page.evaluate(() => {
    const bad = [];
    for (const el of [document.documentElement, document.body, ...document.querySelectorAll('.tl, .page, .rooms, .pane-main, .composer')]) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'hidden') bad.push(`${el.className || el.tagName} ${el.scrollWidth}>${el.clientWidth}`);
    }
    return { bad, w: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth };
  });
  assert.deepEqual(r.bad, [], `${what}: horizontal overflow`);
  assert.ok(r.w <= r.cw, `${what}: scrollWidth ${r.w} > clientWidth ${r.cw}`);
}

test('375 px: login, room list, timeline, readers, directory, profile fit the width', async () => {
  const L = await staff(br, srv, people[0], { width: 375, height: 812, login: false });
  await L.page.locator('form.login').waitFor();
  await noOverflow(L.page, 'login');
  await shot(L.page, 'phone-login');
  await L.ctx.close();
  P = await staff(br, srv, people[0], { width: 375, height: 812 });
  const p = P.page;
  await p.locator('a.room').first().waitFor();
  await noOverflow(p, 'room list');
  assert.equal(await p.locator('.pane-main').isVisible(), false, 'only the list on a phone');
  await shot(p, 'phone-rooms');
  await p.locator('a.room', { hasText: '令和9年度' }).click();
  await p.locator('.tl-list img.stamp-lg').waitFor();
  assert.equal(await p.locator('.pane-rooms').isVisible(), false, 'only the timeline on a phone');
  await noOverflow(p, 'timeline');
  await shot(p, 'phone-timeline');
  await p.locator('.tl-list .msg.mine .readn').first().click();
  await p.locator('dialog.readers').waitFor();
  await noOverflow(p, 'readers dialog');
  await shot(p, 'phone-readers');
  await p.locator('dialog.readers').getByRole('button', { name: '閉じる' }).click();
  await p.locator('.tl-head .back').click();
  await p.locator('a.room').first().waitFor();
  await p.locator('.rooms-head button[aria-label="ルームを作成"]').click();
  await p.locator('dialog.modal label.pickrow').first().waitFor();
  await noOverflow(p, 'new room dialog');
  const box = await p.locator('dialog.modal').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 375, `dialog inside the screen (${box.x}+${box.width})`);
  await p.locator('dialog.modal').getByRole('button', { name: 'キャンセル' }).click();
  await p.getByRole('link', { name: 'アドレス帳' }).click();
  await seeText(p.locator('table.dir'), /田中 健/);
  await noOverflow(p, 'directory');
  await shot(p, 'phone-directory');
  await p.locator('a.me').click();
  await p.locator('form.card').first().waitFor();
  await noOverflow(p, 'profile');
  // The meeting pages and the memo form on a phone.
  const roomId = await p.evaluate(() => Number(document.querySelector('a.room')?.getAttribute('href')?.match(/\d+/)?.[0]));
  await p.goto(`${srv.url}/#/r/${roomId}/notes/new`);
  await p.locator('textarea.md-in').fill('## 議題\n\n- 予算\n\n| 項目 | 金額 |\n|---|---|\n| 会場費 | 20,000円 |');
  await p.locator('.editor input.title-in').fill('打合せメモ');
  await p.locator('button.save').click();
  await seeText(p.locator('.note-body'), /会場費/);
  await noOverflow(p, 'note');
  await shot(p, 'phone-note');
  await p.goto(`${srv.url}/#/r/${roomId}/notes`);
  await seeText(p.locator('.page.notes'), /打合せメモ/);
  await noOverflow(p, 'notes list');
  await p.goto(`${srv.url}/#/memo`);
  await p.locator('input.memo-to').waitFor();
  await noOverflow(p, 'memo form');
});

test('no console errors', () => assert.deepEqual(P.errors, []));
