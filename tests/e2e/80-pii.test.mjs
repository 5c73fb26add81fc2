// R16 in the browser: a My Number with its keyword comes back into the composer with the
// number selected and the reason shown, and is never posted; a number without a keyword asks
// for confirmation, and confirming posts it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, shot } from './lib/server.mjs';

function myNumber(first11) {
  const w = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const r = [...first11].reduce((a, d, i) => a + Number(d) * w[i], 0) % 11;
  return first11 + String(r <= 1 ? 0 : 11 - r);
}

let srv, br, people, A, roomId;
before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  br = await browser();
  A = await staff(br, srv, people[0]);
  const tok = await srv.tokenOf(people[0]);
  roomId = (await srv.api('POST', '/api/v1/rooms', { name: '個人情報の確認', member_ids: [] }, tok)).json.id;
  await A.page.goto(srv.url + '/#/r/' + roomId);
  await A.page.locator('.composer textarea').waitFor();
});
after(async () => { await br?.close(); await srv?.destroy(); });

test('a keyword-marked My Number is refused, given back with the span selected', async () => {
  const p = A.page;
  const num = myNumber('31415926535');
  const text = `申請者のマイナンバーは${num}です`;
  const ta = p.locator('.composer textarea');
  await ta.fill(text);
  await ta.press('Enter');
  await p.locator('.piibar').waitFor({ state: 'visible' });
  assert.match(await p.locator('.piibar').innerText(), /個人番号|マイナンバー/);
  assert.equal(await ta.inputValue(), text, 'the text is back in the composer');
  const sel = await ta.evaluate((el) => [el.selectionStart, el.selectionEnd]);
  assert.deepEqual(sel, [text.indexOf(num), text.indexOf(num) + 12], 'the number is selected');
  await shot(p, 'desktop-pii');
  assert.equal(await p.locator('.tl-list .msg', { hasText: num }).count(), 0, 'not posted');
});

test('a number without a keyword asks first; confirming posts it', async () => {
  const p = A.page;
  const num = myNumber('27182818284');
  const ta = p.locator('.composer textarea');
  await ta.fill(`整理番号 ${num} の件です`);
  await ta.press('Enter');
  const dlg = p.locator('dialog.modal');
  await dlg.waitFor();
  await dlg.getByRole('button', { name: '個人情報ではないので送信' }).click();
  await p.locator('.tl-list .msg', { hasText: num }).waitFor();
  assert.deepEqual(A.errors.filter((e) => !/422/.test(e)), []);
});
