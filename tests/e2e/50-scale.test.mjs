// A long room stays smooth: only a bounded window of rows is in the DOM while the reader
// scrolls back through history, and 500 rooms in the list render quickly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, until } from './lib/server.mjs';

const N = Number(process.env.KAIRAN_E2E_MESSAGES || 10000);
const ROOMS = Number(process.env.KAIRAN_E2E_ROOMS || 500);
let srv, br, S, a, room, ta;
before(async () => {
  srv = await new Server().start();
  const [x, y] = await seed(srv);
  a = x;
  ta = await srv.tokenOf(x);
  const tb = await srv.tokenOf(y);
  room = (await srv.api('POST', '/api/v1/rooms', { name: '長い履歴のルーム', member_ids: [y.id] }, ta)).json;
  let next = 0;
  const worker = async () => {
    for (let i; (i = next++) < N;) {
      const r = await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: `履歴メッセージ ${i + 1}`, client_msg_id: 'big' + i }, i % 2 ? ta : tb);
      if (r.status !== 201) throw new Error('seed ' + r.status + ' ' + r.text);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (let i = 0; i < 250; i++) { // 250 unread for the reader: more than the first page
    const r = await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: `未読メッセージ ${i + 1}`, client_msg_id: 'un' + i }, tb);
    if (r.status !== 201) throw new Error('seed ' + r.status + ' ' + r.text);
  }
  next = 0;
  const rooms = async () => {
    for (let i; (i = next++) < ROOMS - 1;) {
      const r = await srv.api('POST', '/api/v1/rooms', { name: `案件 ${i + 1}`, member_ids: [] }, ta);
      if (r.status !== 201) throw new Error('room ' + r.status + ' ' + r.text);
    }
  };
  await Promise.all(Array.from({ length: 8 }, rooms));
  br = await browser();
});
after(async () => { await br?.close(); await srv?.destroy(); });

test(`${N} messages: paging back keeps the DOM bounded; ${ROOMS} rooms listed`, async () => {
  const { last_read_seq: readSeq } = (await srv.api('GET', `/api/v1/rooms/${room.id}`, undefined, ta)).json;
  const after = (await srv.api('GET', `/api/v1/rooms/${room.id}/messages?after=${readSeq}&limit=20`, undefined, ta)).json.messages;
  const firstUnread = after.find((m) => m.sender.id !== a.id);
  S = await staff(br, srv, a);
  const p = S.page;
  await until(async () => (await p.locator('a.room').count()) >= ROOMS, 15000, `${ROOMS} rooms in the list`);
  await p.locator('a.room', { hasText: '長い履歴のルーム' }).click();
  await p.locator('.tl-list .msg', { hasText: '未読メッセージ 250' }).waitFor();
  // the first unread is not on the first page: the jump button pages back to it
  await p.locator('button.jump').click();
  const div = p.locator('#unread-div');
  await div.waitFor();
  await until(() => div.evaluate((d) => { const r = d.getBoundingClientRect(), s = d.closest('.tl').getBoundingClientRect(); return r.top >= s.top && r.bottom <= s.bottom; }), 5000, 'divider in view');
  assert.equal(await div.evaluate((d) => Number(d.nextElementSibling.dataset.seq)), firstUnread.seq);
  const rows = () => p.locator('.tl-list .msg').count();
  assert.ok(await rows() <= 300, 'initial window bounded');
  const oldest = () => p.locator('.tl-list .msg').first().evaluate((e) => Number(e.dataset.seq));
  const start = await oldest();
  let max = 0;
  const t0 = Date.now();
  for (let i = 0; i < 12; i++) {
    const before = await oldest();
    await p.locator('.tl').evaluate((e) => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); });
    await until(async () => (await oldest()) < before, 10000, 'older messages to load');
    max = Math.max(max, await rows());
  }
  const perPage = (Date.now() - t0) / 12;
  assert.ok(await oldest() < start - 1000, 'went back more than 1000 messages');
  assert.ok(max <= 320, `DOM window stayed bounded (max ${max} rows)`);
  assert.ok(perPage < 1500, `each page back took ${perPage} ms`);
  await p.locator('button.latest').click();
  await p.locator('.tl-list .msg', { hasText: '未読メッセージ 250' }).waitFor();
  assert.ok(await rows() <= 320);
  assert.deepEqual(S.errors, []);
});
