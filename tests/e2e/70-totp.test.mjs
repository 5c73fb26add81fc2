// Two-step verification in the browser: enrol from the profile page with the key an
// authenticator app would take, then a login asks for the 6-digit code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Server, browser, staff, seed, shot } from './lib/server.mjs';

function totp(secret, step = 0) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, buf = 0;
  const key = [];
  for (const ch of secret) { buf = (buf << 5) | A.indexOf(ch); bits += 5; if (bits >= 8) { key.push((buf >>> (bits - 8)) & 0xff); bits -= 8; } }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + step));
  const mac = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  return String((mac.readUInt32BE(mac[19] & 0xf) & 0x7fffffff) % 1000000).padStart(6, '0');
}

let srv, br, people;
before(async () => { srv = await new Server().start(); people = await seed(srv); br = await browser(); });
after(async () => { await br?.close(); await srv?.destroy(); });

test('enrol TOTP on the profile page; the next login asks for the code', async () => {
  const u = people[3];
  const A = await staff(br, srv, u);
  await A.page.goto(srv.url + '/#/me');
  await A.page.getByRole('button', { name: '設定を始める' }).click();
  const key = (await A.page.locator('.totp-secret code').innerText()).trim();
  assert.match(key, /^[A-Z2-7]{32}$/);
  await A.page.locator('.totp-card input[name=code]').fill(totp(key));
  await A.page.getByRole('button', { name: '確認して有効にする' }).click();
  await A.page.getByText('二段階認証は有効です。').waitFor();
  await shot(A.page, 'desktop-totp');
  await A.ctx.close();

  const B = await staff(br, srv, u, { login: false });
  const p = B.page;
  await p.locator('input[name=login]').fill(u.login);
  await p.locator('input[name=pw]').fill(u.password);
  await p.locator('form.login button[type=submit]').click();
  await p.getByText('認証アプリに表示されている確認コードを入力してください').waitFor();
  await p.locator('input[name=totp]').fill(totp(key, 1)); // the next step's code: the first one was used to enrol
  await p.locator('form.login button[type=submit]').click();
  await p.locator('.topbar').waitFor();
  assert.deepEqual(B.errors.filter((e) => !/401/.test(e)), []);
});
