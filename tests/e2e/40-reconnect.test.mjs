// Always-on: the server restarts; the page shows it is reconnecting, a message sent meanwhile
// waits in the queue and is delivered once (same client_msg_id), and what others posted while
// the socket was down is fetched by sequence after the reconnect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, seeText, until } from './lib/server.mjs';

let srv, br, A, a, b, tb, room;
before(async () => {
  srv = await new Server().start();
  [a, b] = await seed(srv);
  tb = await srv.tokenOf(b);
  room = (await srv.api('POST', '/api/v1/rooms', { name: '窓口当番', member_ids: [a.id] }, tb)).json;
  br = await browser();
  A = await staff(br, srv, a);
});
after(async () => { await br?.close(); await srv?.destroy(); });

test('reconnect after a server restart delivers what was missed; offline sends are queued once', async () => {
  const p = A.page;
  await p.locator('a.room', { hasText: '窓口当番' }).click();
  await p.locator('.tl-head .rtitle', { hasText: '窓口当番' }).waitFor();
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '再起動前のメッセージ', client_msg_id: 'r0' }, tb);
  await p.locator('.tl-list .msg', { hasText: '再起動前のメッセージ' }).waitFor();

  await srv.stop();
  await seeText(p.locator('.conn'), /再接続しています/);
  const ta = p.locator('.composer textarea');
  await ta.fill('停止中に送ったメッセージ');
  await ta.press('Enter');
  await seeText(p.locator('.tl-outbox .msg'), /送信待ち/);

  await srv.start();
  tb = await srv.tokenOf(b);
  const r = await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '停止中の連絡です', client_msg_id: 'r1' }, tb);
  assert.equal(r.status, 201, r.text);
  await p.locator('.tl-list .msg', { hasText: '停止中の連絡です' }).waitFor({ timeout: 40000 });
  await p.locator('.tl-list .msg', { hasText: '停止中に送ったメッセージ' }).waitFor({ timeout: 40000 });
  await until(async () => (await p.locator('.tl-outbox .msg').count()) === 0, 10000, 'the queue to drain');
  await until(async () => !(await p.locator('.conn').isVisible()), 10000, 'the reconnect banner to go');
  const { messages } = (await srv.api('GET', `/api/v1/rooms/${room.id}/messages?limit=50`, undefined, tb)).json;
  assert.equal(messages.filter((m) => m.text === '停止中に送ったメッセージ').length, 1, 'delivered exactly once');
  assert.equal(await p.locator('.tl-list .msg', { hasText: '停止中に送ったメッセージ' }).count(), 1);
  // live events flow again
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '復旧後のメッセージ', client_msg_id: 'r2' }, tb);
  await p.locator('.tl-list .msg', { hasText: '復旧後のメッセージ' }).waitFor();
});

test('no console errors besides the refused connections of the restart', () => {
  const expected = /WebSocket connection|ERR_CONNECTION_REFUSED|Failed to load resource|net::ERR/;
  assert.deepEqual(A.errors.filter((e) => !expected.test(e)), []);
});
