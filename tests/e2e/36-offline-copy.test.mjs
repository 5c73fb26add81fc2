// Staff phones (issue #12, R17): the city's optional offline copy of recent messages, in
// Chromium with phone emulation (touch, 390×844, a phone's User-Agent). With
// phone_offline_cache_hours set, the phone keeps the rooms it opened in IndexedDB, encrypted:
// no message text, room name or person's name in the stored values; without network, after
// the PIN, the copy reads as オフライン表示, read only; an account lock and the setting turned
// off delete it. (Off, the default, is 35-pwa's "no message text" test.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, seed, seeText, until, shot } from './lib/server.mjs';

const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36';
const PIN = '715293';
const SECRET = '固定資産税の課税明細（オフラインで読めること）';
const ROOM = '税務課 連絡';
let srv, br, people, room;

before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  const [a, b, c, d, e] = people;
  const ta = await srv.tokenOf(a), tb = await srv.tokenOf(b);
  room = (await srv.api('POST', '/api/v1/rooms', { name: ROOM, member_ids: [b.id, c.id, d.id, e.id] }, ta)).json;
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '明日の窓口当番を確認させてください。', client_msg_id: 'o1' }, tb);
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '9時から12時は私が入ります。', client_msg_id: 'o2' }, ta);
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: SECRET, client_msg_id: 'o3' }, tb);
  const r = await srv.api('PUT', '/api/v1/admin/settings', { phone_offline_cache_hours: 24, phone_offline_cache_messages: 20 });
  assert.equal(r.status, 200, r.text);
  br = await browser();
});
after(async () => { await br?.close(); await srv?.destroy(); });

// A context with a service worker can take long to close in headless Chromium; the next test does
// not need to wait for it.
const closeCtx = (ctx) => Promise.race([ctx.close(), new Promise((ok) => setTimeout(ok, 5000).unref())]);

async function phone(u) {
  const ctx = await br.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, userAgent: ANDROID,
    locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.setDefaultTimeout(10000);
  await page.goto(srv.url + '/');
  await page.locator('input[name=login]').fill(u.login);
  await page.locator('input[name=pw]').fill(u.password);
  await page.locator('form.login button[type=submit]').click();
  await page.locator('input[name=p1]').fill(PIN);
  await page.locator('input[name=p2]').fill(PIN);
  await page.locator('form.pin-setup button[type=submit]').click();
  await page.locator('a.room').first().waitFor();
  return { ctx, page, errors };
}

// Opens the room and waits until its copy is written.
async function readRoom(p) {
  await p.locator('a.room', { hasText: ROOM }).click();
  await seeText(p.locator('.tl-list'), /固定資産税の課税明細/);
  await until(() => p.evaluate(async (k) => (await stored()).keys.includes(k), 'room:' + room.id), 10000, 'the room\'s copy to be written');
}

// Everything in the copy's database as the page sees it: record names, and every value with its
// strings and byte arrays (decoded as UTF-8) flattened into one text to search.
const STORED = `window.stored = async () => {
  if (!(await indexedDB.databases()).some((d) => d.name === 'kairan-offline')) return { keys: [], text: '', values: [] };
  const db = await new Promise((ok, no) => { const r = indexedDB.open('kairan-offline'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const all = (store, how) => new Promise((ok, no) => { const r = db.transaction(store).objectStore(store)[how](); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const keys = [...await all('rec', 'getAllKeys'), ...(await all('meta', 'getAllKeys')).map((k) => 'meta:' + k)];
  const values = [...await all('rec', 'getAll'), ...await all('meta', 'getAll')];
  db.close();
  const parts = [];
  const walk = (v) => {
    if (v == null) return;
    if (typeof v === 'string' || typeof v === 'number') parts.push(String(v));
    else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const u8 = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      parts.push(new TextDecoder().decode(u8), String.fromCharCode(...u8));
    } else if (typeof v === 'object') for (const k of Object.keys(v)) { parts.push(k); walk(v[k]); }
  };
  values.forEach(walk);
  return { keys, text: parts.join('\\n'), values: values.map((v) => Object.keys(v)) };
};`;

async function installStored(p) { await p.evaluate(STORED); }

const shellCached = (p) => until(() => p.evaluate(async () => {
  const c = await caches.open('kairan-shell-1');
  const keys = (await c.keys()).map((r) => new URL(r.url).pathname);
  return ['/', '/js/app.js', '/js/offcache.js', '/js/views/offline.js', '/js/phone.js', '/app.css'].every((x) => keys.includes(x)) && !!navigator.serviceWorker.controller;
}), 15000, 'the service worker to keep the shell and control the page');

async function background(page, hidden) {
  await page.evaluate((hd) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hd });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hd ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('allowed: the rooms read are kept in IndexedDB, encrypted — no message text, room or person\'s name in clear', async () => {
  const P = await phone(people[0]);
  const p = P.page;
  await installStored(p);
  await readRoom(p);
  await until(() => p.evaluate(async () => (await stored()).keys.includes('rooms')), 10000, 'the room list\'s copy');
  const s = await p.evaluate(() => stored());
  assert.deepEqual(s.keys.sort(), ['meta:device', 'room:' + room.id, 'rooms'].sort());
  for (const word of [SECRET, '固定資産税', '窓口当番', '9時から12時', ROOM, '税務課', people[0].name, people[1].name]) {
    assert.ok(!s.text.includes(word), `"${word}" is not stored in clear`);
  }
  // What is in clear: the record's time, the run's public key, IV and ciphertext; the device's
  // wrapped private key (no JWK "d", no pkcs8 in clear).
  assert.deepEqual(s.values.filter((k) => k.includes('ct'))[0].sort(), ['at', 'ct', 'epk', 'iv']);
  assert.deepEqual(s.values.find((k) => k.includes('wrapped')).sort(), ['iter', 'iv', 'pub', 'salt', 'uid', 'wrapped']);
  // The key is made from the PIN with many PBKDF2 rounds; the PIN itself is nowhere.
  assert.ok(!s.text.includes(PIN));
  // Cache Storage still holds only the shell (no API answer, no message).
  const cached = await p.evaluate(async (secret) => {
    const hits = [];
    for (const k of await caches.keys()) {
      const c = await caches.open(k);
      for (const req of await c.keys()) if (new URL(req.url).pathname.startsWith('/api/') || (await (await c.match(req)).text()).includes(secret)) hits.push(req.url);
    }
    return hits;
  }, SECRET);
  assert.deepEqual(cached, []);
  // A room the user leaves (here from another device) takes its copy with it.
  const ta = await srv.tokenOf(people[0]);
  const tmp = (await srv.api('POST', '/api/v1/rooms', { name: '一時連絡', member_ids: [people[4].id] }, ta)).json;
  await srv.api('POST', `/api/v1/rooms/${tmp.id}/messages`, { text: '一時ルームの連絡です', client_msg_id: 'tmp1' }, ta);
  await p.goto(srv.url + '/#/r/' + tmp.id);
  await seeText(p.locator('.tl-list'), /一時ルームの連絡です/);
  await installStored(p);
  await until(() => p.evaluate(async (k) => (await stored()).keys.includes(k), 'room:' + tmp.id), 10000, 'the second room\'s copy');
  assert.equal((await srv.api('DELETE', `/api/v1/rooms/${tmp.id}/members/${people[0].id}`, undefined, ta)).status, 204);
  await until(() => p.evaluate(async (k) => !(await stored()).keys.includes(k), 'room:' + tmp.id), 10000, 'the left room\'s copy to be deleted');
  assert.ok((await p.evaluate(() => stored())).keys.includes('room:' + room.id), 'the other room stays');
  assert.deepEqual(P.errors, []);
  await closeCtx(P.ctx);
});

test('offline: after the PIN the copy reads as オフライン表示, read only; leaving the app locks it again', async () => {
  const P = await phone(people[1]);
  const p = P.page;
  await installStored(p);
  await readRoom(p);
  await shellCached(p);
  await P.ctx.setOffline(true);
  await p.reload();
  await p.locator('.offline').waitFor();
  await p.getByRole('button', { name: '保存したメッセージを読む' }).click();
  // A wrong PIN shows nothing.
  await p.locator('input[name=pin]').fill('000000');
  await p.locator('form.offline-pin button[type=submit]').click();
  await seeText(p.locator('form.offline-pin .error'), /暗証番号が違います.*4/);
  assert.ok(!(await p.evaluate(() => document.body.innerText)).includes('固定資産税'));
  await p.locator('input[name=pin]').fill(PIN);
  await p.locator('form.offline-pin button[type=submit]').click();
  const view = p.locator('.offline-copy');
  await seeText(view.locator('.offline-banner'), /オフライン表示/);
  await seeText(view, /読むだけで、送信はできません/);
  await view.locator('.offline-room', { hasText: ROOM }).click();
  await seeText(view.locator('.offline-tl'), /固定資産税の課税明細/);
  await seeText(view.locator('.offline-tl'), /9時から12時は私が入ります/);
  await seeText(view.locator('.rsub'), /オフライン表示（読むだけ）/);
  assert.equal(await p.locator('textarea, .composer, input[type=text]').count(), 0, 'nothing to write with');
  await shot(p, 'phone-app-offline-cache');
  // Back to the list, then the app is left: the decrypted messages leave the page.
  await view.locator('.offline-back').click();
  await view.locator('.offline-room').first().waitFor();
  await background(p, true);
  await p.locator('.offline').waitFor();
  assert.equal(await p.evaluate((s) => document.documentElement.outerHTML.includes(s), SECRET), false);
  await background(p, false);
  // The network is back: 再試行 starts the app.
  await P.ctx.setOffline(false);
  await p.getByRole('button', { name: '再試行' }).click();
  await seeText(p.locator('.tl-list'), /固定資産税の課税明細/); // the room open before, live again
  assert.deepEqual(P.errors, []);
  await closeCtx(P.ctx);
});

test('an account lock deletes the copy with everything else', async () => {
  const P = await phone(people[2]);
  const p = P.page;
  await installStored(p);
  await readRoom(p);
  const r = await srv.api('POST', `/api/v1/admin/users/${people[2].id}/lock`, {});
  assert.equal(r.status, 200, r.text);
  await seeText(p.locator('.signed-out'), /この端末はサインアウトされました/);
  await until(() => p.evaluate(async () => (await indexedDB.databases()).length === 0 &&
    !Object.keys(localStorage).some((k) => k.startsWith('kairan.offline.'))), 5000, 'IndexedDB and the copy\'s mark to be gone');
  await srv.api('POST', `/api/v1/admin/users/${people[2].id}/unlock`, {});
  await closeCtx(P.ctx);
});

test('the city turns the copy off: the next start deletes it; offline then offers nothing to read', async () => {
  const P = await phone(people[3]);
  const p = P.page;
  await installStored(p);
  await readRoom(p);
  await shellCached(p);
  assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_offline_cache_hours: 0 })).status, 200);
  try {
    await p.reload();
    await seeText(p.locator('.tl-list'), /固定資産税の課税明細/);
    await until(() => p.evaluate(async () => !(await indexedDB.databases()).some((d) => d.name === 'kairan-offline') &&
      !Object.keys(localStorage).some((k) => k.startsWith('kairan.offline.'))), 5000, 'the copy to be deleted');
    // Reading rooms now keeps nothing.
    const ta = await srv.tokenOf(people[0]);
    await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '設定変更後のメッセージ', client_msg_id: 'o-after' }, ta);
    await seeText(p.locator('.tl-list'), /設定変更後のメッセージ/);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(await p.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)), []);
    await P.ctx.setOffline(true);
    await p.reload();
    await p.locator('.offline').waitFor();
    assert.equal(await p.getByRole('button', { name: '保存したメッセージを読む' }).count(), 0);
  } finally {
    assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_offline_cache_hours: 24 })).status, 200);
  }
  await closeCtx(P.ctx);
});

test('records older than the allowed hours are dropped before anything is shown', async () => {
  const P = await phone(people[4]);
  const p = P.page;
  await installStored(p);
  await readRoom(p);
  await shellCached(p);
  // The room's copy was written 25 hours ago (the city allows 24).
  await p.evaluate(async (k) => {
    const db = await new Promise((ok) => { const r = indexedDB.open('kairan-offline'); r.onsuccess = () => ok(r.result); });
    await new Promise((ok) => {
      const tx = db.transaction('rec', 'readwrite'), st = tx.objectStore('rec');
      st.get(k).onsuccess = (e) => st.put({ ...e.target.result, at: Date.now() - 25 * 3600000 }, k);
      tx.oncomplete = ok;
    });
    db.close();
  }, 'room:' + room.id);
  await P.ctx.setOffline(true);
  await p.reload();
  await p.locator('.offline').waitFor();
  await p.getByRole('button', { name: '保存したメッセージを読む' }).click();
  await p.locator('input[name=pin]').fill(PIN);
  await p.locator('form.offline-pin button[type=submit]').click();
  const view = p.locator('.offline-copy');
  await seeText(view.locator('.offline-room', { hasText: ROOM }), /保存されていません/);
  assert.equal(await view.locator('.offline-room', { hasText: ROOM }).isDisabled(), true);
  await installStored(p);
  assert.ok(!(await p.evaluate(() => stored())).keys.includes('room:' + room.id), 'the old record is deleted');
  assert.deepEqual(P.errors, []);
  await closeCtx(P.ctx);
});

test('signing out, or a forgotten PIN, deletes the copy', async () => {
  const gone = (p) => until(() => p.evaluate(async () => !(await indexedDB.databases()).some((d) => d.name === 'kairan-offline') &&
    !Object.keys(localStorage).some((k) => k.startsWith('kairan.offline.'))), 5000, 'the copy to be deleted');
  // ログアウト from the profile.
  let P = await phone(people[0]);
  let p = P.page;
  await installStored(p);
  await readRoom(p);
  await p.goto(srv.url + '/#/me');
  await p.getByRole('button', { name: 'ログアウト' }).click();
  await p.locator('dialog.modal').getByRole('button', { name: 'ログアウト' }).click();
  await p.locator('form.login').waitFor();
  await gone(p);
  await closeCtx(P.ctx);
  // 暗証番号を忘れた場合 on the lock screen (the city locks as soon as the app is left).
  P = await phone(people[1]);
  p = P.page;
  await installStored(p);
  await readRoom(p);
  assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 0 })).status, 200);
  try {
    await p.reload();
    await p.locator('form.pin-lock').waitFor();
    await p.getByRole('button', { name: /暗証番号を忘れた/ }).click();
    await p.locator('form.login').waitFor();
    await gone(p);
  } finally {
    assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 5 })).status, 200);
  }
  assert.deepEqual(P.errors, []);
  await closeCtx(P.ctx);
});
