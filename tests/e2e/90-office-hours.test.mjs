// R14 in the browser: outside office hours (a closure today, hold mode) a message shows as
// 送信予約 with its time and can be cancelled; an urgent message shows 緊急 to the colleague.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, shot } from './lib/server.mjs';

let srv, br, people, A, B, roomId;
before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  br = await browser();
  const today = new Date(Date.now() + 9 * 3600000).toISOString().slice(0, 10);
  await srv.api('POST', '/api/v1/admin/calendar/closures', { date: today, name: '臨時閉庁' });
  await srv.api('PUT', '/api/v1/admin/office-hours', { start: '08:30', end: '17:15', mode: 'hold' });
  const tok = await srv.tokenOf(people[0]);
  roomId = (await srv.api('POST', '/api/v1/rooms', { name: '時間外の確認', member_ids: [people[1].id] }, tok)).json.id;
  A = await staff(br, srv, people[0]);
  B = await staff(br, srv, people[1]);
});
after(async () => { await br?.close(); await srv?.destroy(); });

test('a message written on a closed day is held (送信予約) and can be cancelled', async () => {
  const p = A.page;
  await p.goto(srv.url + '/#/r/' + roomId);
  const ta = p.locator('.composer textarea');
  await ta.fill('明朝の会議の件です');
  await ta.press('Enter');
  const held = p.locator('.tl-outbox .held');
  await held.waitFor();
  assert.match(await held.innerText(), /送信予約 .*08:30/);
  await shot(p, 'desktop-held');
  await B.page.goto(srv.url + '/#/r/' + roomId);
  await B.page.locator('.composer textarea').waitFor();
  assert.equal(await B.page.locator('.tl-list .msg', { hasText: '明朝の会議の件' }).count(), 0, 'the colleague does not see it');
  await p.locator('.tl-outbox').getByRole('button', { name: '予約を取消' }).click();
  await held.waitFor({ state: 'detached' });
  const r = await srv.api('GET', '/api/v1/me/held', undefined, await srv.tokenOf(people[0]));
  assert.equal(r.json.held.length, 0);
});

test('an urgent message is delivered at once and marked 緊急', async () => {
  const tok = await srv.tokenOf(people[0]);
  const r = await srv.api('POST', `/api/v1/rooms/${roomId}/messages`, { text: '至急：停電の連絡', client_msg_id: 'u-e2e', urgent: true, urgent_reason: '停電' }, tok);
  assert.equal(r.status, 201);
  const m = B.page.locator('.tl-list .msg', { hasText: '至急：停電の連絡' });
  await m.waitFor();
  await m.locator('.urgent', { hasText: '緊急' }).waitFor();
  assert.deepEqual(A.errors.concat(B.errors), []);
});

test('the calendar page shows the office hours, national holidays and the city closure', async () => {
  const p = A.page;
  await p.getByRole('link', { name: '閉庁日' }).click();
  await p.getByText('時間外の送信: 翌開庁日の朝に送信（送信予約）').waitFor();
  const year = new Date(Date.now() + 9 * 3600000).getUTCFullYear();
  await p.locator('table.cal').getByText(`${year}年1月1日`).waitFor();
  await p.locator('table.cal tr.closure', { hasText: '臨時閉庁' }).waitFor();
  await shot(p, 'desktop-calendar');
  assert.deepEqual(A.errors, []);
});

test('a room marked for formal approval shows the 決裁 reminder', async () => {
  const r = await srv.api('PUT', `/api/v1/admin/rooms/${roomId}/records`, { classification: 'work', retention_days: null, approval_reminder: true });
  assert.equal(r.status, 200);
  const p = B.page;
  await p.goto(srv.url + '/#/cal');
  await p.goto(srv.url + '/#/r/' + roomId);
  await p.reload();
  await p.locator('.approval').getByText('決裁').waitFor();
});
