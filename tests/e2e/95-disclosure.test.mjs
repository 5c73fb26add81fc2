// R15 in the browser: the disclosure officer picks a room, takes a suggested phone number and
// a hand-selected name as masked parts with their grounds, and makes the masked edition, in
// which the masked text is gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, browser, staff, seed, shot } from './lib/server.mjs';

let srv, br, people, roomId, room2;
before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  br = await browser();
  const tok = await srv.tokenOf(people[0]);
  roomId = (await srv.api('POST', '/api/v1/rooms', { name: '開示請求の対象', member_ids: [people[1].id] }, tok)).json.id;
  await srv.api('POST', `/api/v1/rooms/${roomId}/messages`, { text: '業者の連絡先は 077-561-2345 です', client_msg_id: 'd1' }, tok);
  await srv.api('POST', `/api/v1/rooms/${roomId}/messages`, { text: '用地は山本様の土地です', client_msg_id: 'd2' }, tok);
  room2 = (await srv.api('POST', '/api/v1/rooms', { name: '用地交渉の記録', member_ids: [people[1].id] }, tok)).json.id;
  await srv.api('POST', `/api/v1/rooms/${room2}/messages`, { text: '交渉相手の携帯は 090-1234-5678', client_msg_id: 'd3' }, tok);
});
after(async () => { await br?.close(); await srv?.destroy(); });

test('mask a suggestion and a selection across two rooms and a period, then the masked edition has neither', async () => {
  const A = await staff(br, srv, { login: 'admin', password: srv.adminPassword });
  const p = A.page;
  await p.getByRole('link', { name: '情報公開' }).click();
  await p.locator('.dx-room', { hasText: '開示請求の対象' }).locator('input').check();
  await p.locator('.dx-room', { hasText: '用地交渉の記録' }).locator('input').check();
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  await p.locator('input.dx-from').fill(today);
  await p.locator('input.dx-to').fill(today);
  await p.locator('button.dx-load').click();
  await p.locator('.dx-room-head', { hasText: '用地交渉の記録' }).waitFor();
  await p.locator('.dx-sug .chip', { hasText: '090-1234-5678' }).click();
  await p.locator('.dx-sug .chip', { hasText: '077-561-2345' }).click();
  await p.locator('.dx-text', { hasText: '業者の連絡先は ■■■■■■■■■■■■ です' }).waitFor();
  // Select 山本 by hand in the second message.
  await p.locator('.dx-text', { hasText: '山本' }).evaluate((el) => {
    const node = el.firstChild, k = node.textContent.indexOf('山本');
    const r = document.createRange();
    r.setStart(node, k);
    r.setEnd(node, k + 2);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  });
  await p.getByRole('button', { name: '選択範囲を黒塗り' }).click();
  await p.locator('.dx-text', { hasText: '用地は■■様の土地です' }).waitFor();
  await shot(p, 'desktop-disclosure');
  await p.getByRole('button', { name: '黒塗り版を作成' }).click();
  const link = p.locator('a.dx-download');
  await link.waitFor();
  const href = await link.getAttribute('href');
  const r = await fetch(srv.url + href, { headers: { authorization: 'Bearer ' + srv.token } });
  assert.equal(r.status, 200);
  const dir = mkdtempSync(join(tmpdir(), 'kairan-dx-'));
  writeFileSync(join(dir, 'x.zip'), Buffer.from(await r.arrayBuffer()));
  execFileSync('unzip', ['-q', join(dir, 'x.zip'), '-d', join(dir, 'out')]);
  for (const f of readdirSync(join(dir, 'out'))) {
    const text = readFileSync(join(dir, 'out', f)).toString();
    assert.ok(!text.includes('077-561-2345') && !text.includes('山本') && !text.includes('090-1234-5678'), `${f} has no masked text`);
  }
  assert.match(readFileSync(join(dir, 'out', 'masking.csv')).toString(), /条例第7条第1号/);
  assert.deepEqual(A.errors, []);
});
