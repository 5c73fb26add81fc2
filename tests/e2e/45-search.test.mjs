// 検索 in Chromium: search from the header (half-width kana finds full-width), narrow to one
// room with a chip, open a result, and land on that message in its room's timeline — even
// when it lies far back in the history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, seeText, until, shot } from './lib/server.mjs';

let srv, br, A, yamada, sato, budget, drill, target;
before(async () => {
  srv = await new Server().start();
  [yamada, sato] = await seed(srv);
  const ty = await srv.tokenOf(yamada), ts = await srv.tokenOf(sato);
  budget = (await srv.api('POST', '/api/v1/rooms', { name: '予算要求の調整', member_ids: [sato.id] }, ty)).json;
  drill = (await srv.api('POST', '/api/v1/rooms', { name: '防災訓練の準備', member_ids: [sato.id] }, ty)).json;
  const send = async (token, room, text) => {
    const r = await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text, client_msg_id: 'c' + Math.random().toString(36).slice(2) }, token);
    assert.equal(r.status, 201, 'send');
    return r.json;
  };
  // The message to find, then enough later ones that opening the room does not show it.
  target = await send(ts, budget, '来週の会議資料を共有します。カイギ室は3階です');
  for (let i = 0; i < 160; i++) await send(i % 2 ? ty : ts, budget, `進捗の連絡 その${i + 1}`);
  await send(ty, drill, '訓練後のカイギは中止です');
  br = await browser();
  A = await staff(br, srv, yamada);
});
after(async () => { await br?.close(); await srv?.destroy(); });

test('search from the header, filter by room, open a result, land on the message', async () => {
  const page = A.page;
  const box = page.locator('header.topbar input.hq');
  await box.fill('ｶｲｷﾞ');
  await box.press('Enter');
  const hits = page.locator('.search-list a.search-hit');
  await until(async () => (await hits.count()) === 2, 10000, 'two results for ｶｲｷﾞ');
  // The matches are marked in the snippet as text, in the characters as written.
  const marks = await page.locator('.search-list mark').allInnerTexts();
  assert.deepEqual(marks.sort(), ['カイギ', 'カイギ']);
  await shot(page, 'desktop-search');
  // A room chip narrows the results to that room.
  await page.locator('.search-page a.chip', { hasText: '予算要求の調整' }).click();
  await until(async () => (await hits.count()) === 1, 10000, 'one result in the budget room');
  await seeText(hits.first().locator('.hit-room'), /予算要求の調整/);
  assert.match(page.url(), new RegExp(`room=${budget.id}`));
  // Opening it shows the room at that message, highlighted, though 160 newer ones follow.
  await hits.first().click();
  await page.locator('.tl-head .rtitle', { hasText: '予算要求の調整' }).waitFor();
  const el = page.locator(`.tl-list .msg[data-seq="${target.seq}"]`);
  await el.waitFor({ timeout: 10000 });
  await until(async () => (await el.getAttribute('class')).includes('flash'), 10000, 'the message is flashed');
  await seeText(el, /来週の会議資料を共有します/);
  const inView = await el.evaluate((e) => { const r = e.getBoundingClientRect(), s = e.closest('.tl').getBoundingClientRect(); return r.top >= s.top - 1 && r.bottom <= s.bottom + 1; });
  assert.ok(inView, 'the message is on screen');
  // The messages around it are there too.
  await page.locator('.tl-list .msg', { hasText: '進捗の連絡 その1' }).first().waitFor();
});
